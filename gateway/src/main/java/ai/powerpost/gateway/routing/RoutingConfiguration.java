package ai.powerpost.gateway.routing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import ai.powerpost.gateway.auth.ApiKeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
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

    @Bean
    RouteTable routeTable(RoutingProperties properties, Environment environment,
                          ObjectProvider<UpstreamOverride> overrides) {
        List<UpstreamOverride> sources = overrides.orderedStream().toList();
        RouteTable table = RouteTableParser.load(properties.file(), variable -> {
            for (UpstreamOverride source : sources) {
                String uri = source.uriFor(variable);
                if (uri != null) {
                    return uri;
                }
            }
            return environment.getProperty(variable);
        });
        log.info("loaded {} from {}", table, properties.file().toAbsolutePath().normalize());
        return table;
    }

    @Bean
    RouteLocator powerPostRoutes(RouteTable table) {
        List<Route> routes = new ArrayList<>();
        int order = 0;
        for (Upstream upstream : table.upstreams().values()) {
            routes.add(Route.async()
                    .id("upstream-" + upstream.name())
                    .uri(upstream.uri())
                    .order(order++)
                    .predicate(exchange -> match(exchange, table) instanceof RouteMatch.Found found
                            && found.route().upstream().name().equals(upstream.name()))
                    .build());
        }
        routes.add(Route.async()
                .id(UNMATCHED_ROUTE_ID)
                .uri(URI.create("no://op"))
                .order(Integer.MAX_VALUE)
                .predicate(exchange -> true)
                .build());
        List<Route> fixed = List.copyOf(routes);
        return () -> Flux.fromIterable(fixed);
    }

    @Bean
    RouteResolutionFilter routeResolutionFilter(RouteTable table) {
        return new RouteResolutionFilter(table);
    }

    @Bean
    ScopeAuthorizationFilter scopeAuthorizationFilter() {
        return new ScopeAuthorizationFilter();
    }

    @Bean
    WorkspaceFilter workspaceFilter(ApiKeyStore store, WorkspaceProperties properties) {
        return new WorkspaceFilter(store, properties);
    }

    /** The table's verdict on this request, computed once and kept on the exchange. */
    static RouteMatch match(ServerWebExchange exchange, RouteTable table) {
        RouteMatch match = exchange.getAttribute(RouteMatch.ATTRIBUTE);
        if (match == null) {
            match = table.match(exchange.getRequest().getMethod().name(), exchange.getRequest().getURI().getRawPath());
            exchange.getAttributes().put(RouteMatch.ATTRIBUTE, match);
        }
        return match;
    }
}
