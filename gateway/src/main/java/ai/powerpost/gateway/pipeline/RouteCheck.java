package ai.powerpost.gateway.pipeline;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.routing.RouteSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

/**
 * The shape of every check after authentication: it is handed the matched route and the key that
 * authenticated, and decides. What a request without a route or a key gets is decided here, once:
 * 500 {@code INTERNAL_ERROR}, never a pass (fail closed). Such a request cannot occur (route
 * resolution and authentication answer every request that lacks them); reaching here without them
 * means a check was put in the wrong place, which the log says.
 */
public abstract class RouteCheck implements Check {

    private static final Logger log = LoggerFactory.getLogger(RouteCheck.class);

    private static final Verdict NO_ROUTE_OR_KEY = Verdict.refuse(ApiError.INTERNAL_ERROR);

    @Override
    public final Verdict check(ServerWebExchange exchange, RequestState state) {
        RouteSpec route = state.route();
        KeyRecord key = state.key();
        if (route == null || key == null) {
            log.error("{} reached without a {}: refused", stage(), route == null ? "route" : "key");
            return NO_ROUTE_OR_KEY;
        }
        return check(exchange, state, route, key);
    }

    /** The check itself, for a request with its route and its key. */
    protected abstract Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key);
}
