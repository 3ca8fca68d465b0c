package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.errors.ErrorResponseWriter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Deny by default: a request the route table does not resolve to a route (unknown path: 404,
 * undeclared method: 405 with {@code Allow}, non-canonical path: 400) is answered here and never
 * reaches an upstream.
 */
final class RouteResolutionFilter implements GlobalFilter, Ordered {

    private final RouteTableHolder table;

    RouteResolutionFilter(RouteTableHolder table) {
        this.table = table;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        RouteMatch match = RoutingConfiguration.match(exchange, table);
        if (match instanceof RouteMatch.Rejected rejected) {
            return ErrorResponseWriter.write(exchange, rejected.error());
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.ROUTE_RESOLUTION;
    }

    @Override
    public String toString() {
        return "RouteResolutionFilter[" + table.current() + "]";
    }
}
