package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Lookup;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteSpec;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The workspace rule, on routes that require it: exactly one {@code X-Workspace-Id}, of
 * PowerPost's id form ({@code [A-Za-z0-9_-]}, 1 to 64 characters), else 400
 * {@code VALIDATION_ERROR}; and, unless {@code gateway.workspaces.verify-ownership} is off, a
 * workspace the key's account owns, else 403 {@code FORBIDDEN}. Ownership is read through the
 * key store's cache; if Redis cannot be asked the answer is 503 (fail closed).
 */
final class WorkspaceCheck extends RouteCheck {

    private static final Logger log = LoggerFactory.getLogger(WorkspaceCheck.class);
    static final int MAX_LENGTH = 64;
    private static final Verdict MISSING = Verdict.refuse(ApiError.WORKSPACE_MISSING);
    private static final Verdict MALFORMED = Verdict.refuse(ApiError.WORKSPACE_MALFORMED);
    private static final Verdict FORBIDDEN = Verdict.refuse(ApiError.WORKSPACE_FORBIDDEN);
    private static final Verdict UNAVAILABLE = Verdict.refuse(ApiError.AUTH_UNAVAILABLE);

    private final ApiKeyStore store;
    private final WorkspaceProperties properties;

    WorkspaceCheck(ApiKeyStore store, WorkspaceProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    @Override
    protected Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key) {
        if (!route.workspaceRequired()) {
            return Verdict.PASS;
        }
        List<String> values = exchange.getRequest().getHeaders().get(GatewayHeaders.WORKSPACE_ID);
        if (values == null
                || values.isEmpty()
                || (values.size() == 1 && values.get(0).isBlank())) {
            return MISSING;
        }
        String workspaceId = values.get(0);
        if (values.size() > 1 || !isWellFormed(workspaceId)) {
            return MALFORMED;
        }
        if (!properties.verifyOwnership()) {
            return Verdict.PASS;
        }
        Lookup<Boolean> ownership = store.ownership(key.accountId(), workspaceId);
        if (ownership instanceof Lookup.Now<Boolean> now) {
            return Boolean.TRUE.equals(now.value()) ? Verdict.PASS : FORBIDDEN;
        }
        return Verdict.waitFor(ownership
                .toMono()
                .map(owned -> owned ? Verdict.PASS : FORBIDDEN)
                .onErrorResume(e -> {
                    log.warn(
                            "workspace look-up failed, answering 503: {}",
                            e.getClass().getSimpleName());
                    return Mono.just(UNAVAILABLE);
                }));
    }

    static boolean isWellFormed(String workspaceId) {
        int length = workspaceId.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = workspaceId.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Stage stage() {
        return Stage.WORKSPACE;
    }

    @Override
    public String toString() {
        return "WorkspaceCheck[verifyOwnership=" + properties.verifyOwnership() + "]";
    }
}
