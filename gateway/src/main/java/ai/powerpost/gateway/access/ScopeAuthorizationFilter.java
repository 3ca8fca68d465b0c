package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.routing.RouteSpec;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Authorises: the key's scopes must hold the route's one scope, else 403 {@code INSUFFICIENT_SCOPE}
 * naming the missing scope in {@code message} and {@code required_scope}.
 */
final class ScopeAuthorizationFilter extends RouteCheck {

    @Override
    protected Mono<Void> check(ServerWebExchange exchange, RouteSpec route, KeyRecord key, GatewayFilterChain chain) {
        if (!key.allows(route.scope())) {
            return ErrorResponseWriter.write(
                    exchange, ApiError.insufficientScope(route.scope().wireName()));
        }
        return chain.filter(exchange);
    }

    @Override
    public Stage stage() {
        return Stage.AUTHORIZE_SCOPE;
    }

    @Override
    public String toString() {
        return "ScopeAuthorizationFilter";
    }
}
