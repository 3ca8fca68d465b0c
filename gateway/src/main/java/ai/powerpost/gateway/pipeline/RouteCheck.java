package ai.powerpost.gateway.pipeline;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.routing.RouteSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The shape of every stage after authentication: it is handed the matched route and the key that
 * authenticated, and either passes the exchange on ({@code chain.filter(exchange)}) or ends it
 * through {@link ErrorResponseWriter}. What a request without a route or a key gets is decided
 * here, once: 500 {@code INTERNAL_ERROR}, never a pass (fail closed). Such a request cannot occur
 * (route resolution and authentication answer every request that lacks them); reaching here
 * without them means a stage was put in the wrong place, which the log says.
 */
public abstract class RouteCheck implements StageFilter {

    private static final Logger log = LoggerFactory.getLogger(RouteCheck.class);

    @Override
    public final Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        RequestState state = RequestState.of(exchange);
        RouteSpec route = state.route();
        KeyRecord key = state.key();
        if (route == null || key == null) {
            log.error("{} reached without a {}: refused", stage(), route == null ? "route" : "key");
            return ErrorResponseWriter.write(exchange, ApiError.INTERNAL_ERROR);
        }
        return check(exchange, route, key, chain);
    }

    /** The check itself, for a request with its route and its key. */
    protected abstract Mono<Void> check(
            ServerWebExchange exchange, RouteSpec route, KeyRecord key, GatewayFilterChain chain);
}
