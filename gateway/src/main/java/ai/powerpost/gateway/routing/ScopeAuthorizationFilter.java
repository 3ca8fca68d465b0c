package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.auth.AuthContext;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ErrorResponseWriter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Authorises: the key's scopes must hold the route's one scope, else 403 {@code INSUFFICIENT_SCOPE}
 * naming the missing scope in {@code message} and {@code required_scope}. A request that reaches
 * here without a route or an identity is refused (fail closed), never passed.
 */
final class ScopeAuthorizationFilter implements GlobalFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        RouteMatch match = exchange.getAttribute(RouteMatch.ATTRIBUTE);
        AuthContext auth = AuthContext.of(exchange);
        if (!(match instanceof RouteMatch.Found found) || auth == null) {
            return ErrorResponseWriter.write(exchange, ApiError.INTERNAL_ERROR);
        }
        if (!auth.key().allows(found.route().scope())) {
            return ErrorResponseWriter.write(exchange, ApiError.insufficientScope(found.route().scope().wireName()));
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.AUTHORIZE_SCOPE;
    }

    @Override
    public String toString() {
        return "ScopeAuthorizationFilter";
    }
}
