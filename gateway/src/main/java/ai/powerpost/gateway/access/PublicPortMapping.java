package ai.powerpost.gateway.access;

import ai.powerpost.gateway.pipeline.RequestState;
import java.net.InetSocketAddress;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Every request of the public port goes to Spring Cloud Gateway's filter chain, with the gateway's
 * one route, found without a look-up. This replaces, for the public port, two pieces of framework
 * work per request that decide nothing here:
 * <ul>
 * <li>WebFlux's dispatcher asks each handler mapping in turn (router functions, request mappings)
 *     before Spring Cloud Gateway's: none of them maps anything on the public port;</li>
 * <li>Spring Cloud Gateway's {@link RoutePredicateHandlerMapping} tests each route's predicate
 *     through a {@code concatMap} and a {@code filterWhen} per route, and its discards looked the
 *     Reactor context up: about 4 % of the gateway's CPU under load (docs/performance.md).</li>
 * </ul>
 * Route selection is the route table's alone (the {@code ROUTE_RESOLUTION} check answers what it
 * does not resolve, and the upstream call hands the routing filter the route prepared for the
 * matched routes.yml route), so the framework's route is only the entry to its filter chain.
 *
 * <p>It answers only requests to the public server's own port, learnt when that server starts:
 * the management server's requests (its own context asks this mapping too, as an ancestor's) and
 * any request before the port is known go on to the mappings after it, Spring Cloud Gateway's
 * included, which sends them through the same chain. It is only declared when the management
 * server has a port of its own.
 */
final class PublicPortMapping implements HandlerMapping, Ordered, ApplicationListener<WebServerInitializedEvent> {

    private final Route route;
    private final Mono<Object> handler;
    private volatile int publicPort = -1;

    PublicPortMapping(FilteringWebHandler handler, Route route) {
        this.route = route;
        this.handler = Mono.just(handler);
    }

    @Override
    public Mono<Object> getHandler(ServerWebExchange exchange) {
        InetSocketAddress local = exchange.getRequest().getLocalAddress();
        if (local == null || local.getPort() != publicPort) {
            return Mono.empty();
        }
        RequestState.of(exchange); // the request's clock starts here, as it did in the route predicates
        exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR, route);
        return handler;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            publicPort = event.getWebServer().getPort();
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public String toString() {
        return "PublicPortMapping[port=" + publicPort + ", route=" + route.getId() + "]";
    }
}
