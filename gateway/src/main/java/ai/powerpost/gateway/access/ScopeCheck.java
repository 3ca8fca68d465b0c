package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteSpec;
import org.springframework.web.server.ServerWebExchange;

/**
 * Authorises: the key's scopes must hold the route's one scope, else 403 {@code INSUFFICIENT_SCOPE}
 * naming the missing scope in {@code message} and {@code required_scope}.
 */
final class ScopeCheck extends RouteCheck {

    @Override
    protected Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key) {
        if (!key.allows(route.scope())) {
            return Verdict.refuse(ApiError.insufficientScope(route.scope().wireName()));
        }
        return Verdict.PASS;
    }

    @Override
    public Stage stage() {
        return Stage.AUTHORIZE_SCOPE;
    }

    @Override
    public String toString() {
        return "ScopeCheck";
    }
}
