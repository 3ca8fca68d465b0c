package ai.powerpost.gateway.access;

import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.routing.RouteTableHolder;
import org.springframework.web.server.ServerWebExchange;

/**
 * Deny by default: a request the route table does not resolve to a route (unknown path: 404,
 * undeclared method: 405 with {@code Allow}, non-canonical path: 400) is answered here and never
 * reaches an upstream.
 */
final class RouteResolutionCheck implements Check {

    private final RouteTableHolder table;

    RouteResolutionCheck(RouteTableHolder table) {
        this.table = table;
    }

    @Override
    public Verdict check(ServerWebExchange exchange, RequestState state) {
        RouteMatch match = resolve(exchange, table);
        if (match instanceof RouteMatch.Rejected rejected) {
            return Verdict.refuse(rejected.error());
        }
        return Verdict.PASS;
    }

    /**
     * The table's verdict on this request: computed once (against the table then in force, by the
     * first to ask) and kept in the request state.
     */
    static RouteMatch resolve(ServerWebExchange exchange, RouteTableHolder holder) {
        RequestState state = RequestState.of(exchange);
        RouteMatch match = state.routeMatch();
        if (match == null) {
            match = holder.current()
                    .match(
                            exchange.getRequest().getMethod().name(),
                            exchange.getRequest().getURI().getRawPath());
            state.route(match);
        }
        return match;
    }

    @Override
    public Stage stage() {
        return Stage.ROUTE_RESOLUTION;
    }

    @Override
    public String toString() {
        return "RouteResolutionCheck[" + table.current() + "]";
    }
}
