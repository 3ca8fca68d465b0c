package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteSpec;
import org.springframework.web.server.ServerWebExchange;

/**
 * A test key ({@code pp_test_sk_}) may only call routes whose upstream declares a sandbox
 * ({@code sandbox-uri} in routes.yml, or {@code GATEWAY_UPSTREAM_<NAME>_SANDBOX}); on any other
 * route it gets 403 {@code FORBIDDEN} ({@link ApiError#TEST_KEY_NO_SANDBOX}) and nothing is
 * proxied. Where the call then goes (the sandbox for a test key, the live URI for a live one) is
 * decided by the upstream call itself ({@code proxy.UpstreamCallFilter}), which refuses a test key
 * without a sandbox again rather than ever sending it to the live URI.
 */
final class KeyModeCheck extends RouteCheck {

    private static final Verdict NO_SANDBOX = Verdict.refuse(ApiError.TEST_KEY_NO_SANDBOX);

    @Override
    protected Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key) {
        if (key.mode() == KeyMode.TEST && !route.upstream().hasSandbox()) {
            return NO_SANDBOX;
        }
        return Verdict.PASS;
    }

    @Override
    public Stage stage() {
        return Stage.KEY_MODE;
    }

    @Override
    public String toString() {
        return "KeyModeCheck";
    }
}
