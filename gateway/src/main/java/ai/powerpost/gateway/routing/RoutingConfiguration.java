package ai.powerpost.gateway.routing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import ai.powerpost.gateway.auth.ApiKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;

/**
 * Loads routes.yml and hands Spring Cloud Gateway one route per upstream.
 *
 * <p>The route table is the only matcher: each upstream's SCG route matches the requests that the
 * table resolves to one of that upstream's routes (the match is computed once per request and kept
 * on the exchange), and a last catch-all route catches everything else, which
 * {@link RouteResolutionFilter} answers with 404, 405 or 400. SCG's own predicates and its route
 * DSL are not used.
 */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RoutingConfiguration.class);
    static final String UNMATCHED_ROUTE_ID = "unmatched";

    /** Upstream URIs: the environment's {@code GATEWAY_UPSTREAM_<NAME>}. */
    @Bean
    UpstreamEnvironment upstreamEnvironment(Environment environment) {
        return environment::getProperty;
    }

    /** The table as loaded at start-up (a bad file stops the start); see {@link RouteTableHolder} for the live one. */
    @Bean
    RouteTable routeTable(RoutingProperties properties, UpstreamEnvironment upstreams) {
        RouteTable table = RouteTableParser.load(properties.file(), upstreams);
        log.info("loaded {} from {}", table, properties.file().toAbsolutePath().normalize());
        return table;
    }

    @Bean
    RouteTableHolder routeTableHolder(RouteTable routeTable) {
        return new RouteTableHolder(routeTable);
    }

    @Bean
    RouteTableReloader routeTableReloader(RoutingProperties properties, RouteTableHolder holder,
                                          UpstreamEnvironment upstreams, ApplicationEventPublisher events,
                                          MeterRegistry meters) {
        return new RouteTableReloader(properties.file(), properties.reloadInterval(), holder, upstreams, events, meters);
    }

    /** One SCG route per upstream of the table in force (re-read on every RefreshRoutesEvent), plus the catch-all. */
    @Bean
    RouteLocator powerPostRoutes(RouteTableHolder holder) {
        return () -> Flux.defer(() -> Flux.fromIterable(scgRoutes(holder)));
    }

    private static List<Route> scgRoutes(RouteTableHolder holder) {
        List<Route> routes = new ArrayList<>();
        int order = 0;
        for (Upstream upstream : holder.current().upstreams().values()) {
            routes.add(Route.async()
                    .id("upstream-" + upstream.name())
                    .uri(upstream.uri())
                    .order(order++)
                    .predicate(exchange -> match(exchange, holder) instanceof RouteMatch.Found found
                            && found.route().upstream().name().equals(upstream.name()))
                    .build());
        }
        routes.add(Route.async()
                .id(UNMATCHED_ROUTE_ID)
                .uri(URI.create("no://op"))
                .order(Integer.MAX_VALUE)
                .predicate(exchange -> true)
                .build());
        return routes;
    }

    @Bean
    RouteResolutionFilter routeResolutionFilter(RouteTableHolder holder) {
        return new RouteResolutionFilter(holder);
    }

    @Bean
    ScopeAuthorizationFilter scopeAuthorizationFilter() {
        return new ScopeAuthorizationFilter();
    }

    @Bean
    WorkspaceFilter workspaceFilter(ApiKeyStore store, WorkspaceProperties properties) {
        return new WorkspaceFilter(store, properties);
    }

    /** The table's verdict on this request, computed once (against the table then in force) and kept on the exchange. */
    static RouteMatch match(ServerWebExchange exchange, RouteTableHolder holder) {
        RouteMatch match = exchange.getAttribute(RouteMatch.ATTRIBUTE);
        if (match == null) {
            match = holder.current().match(exchange.getRequest().getMethod().name(), exchange.getRequest().getURI().getRawPath());
            exchange.getAttributes().put(RouteMatch.ATTRIBUTE, match);
        }
        return match;
    }
}
