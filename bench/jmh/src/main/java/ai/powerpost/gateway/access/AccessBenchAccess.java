package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.AuthBenchAccess;
import ai.powerpost.gateway.auth.AuthProperties;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.routing.RouteTableHolder;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/**
 * For the JMH benchmarks only (bench/jmh): the access package's package-private pieces, built the
 * way {@link AccessConfiguration} builds them.
 */
public final class AccessBenchAccess {

    /** {@code gateway.auth.*} at its defaults (application.yml). */
    private static final AuthProperties AUTH =
            new AuthProperties(50, Duration.ofSeconds(60), Duration.ofMillis(25), Duration.ofSeconds(1));

    private AccessBenchAccess() {}

    /** {@link ApiKeyCheck} as {@link AccessConfiguration} builds it. */
    public static Check authFilter(ApiKeyStore store) {
        return new ApiKeyCheck(
                store,
                AuthBenchAccess.keyTags(),
                AuthBenchAccess.untaggedKeysNotReady(),
                new BruteForceGuard(AUTH, System::currentTimeMillis, Ticker.systemTicker()),
                AUTH);
    }

    /** {@link WorkspaceCheck}'s check of the {@code X-Workspace-Id} form. */
    public static boolean workspaceWellFormed(String workspaceId) {
        return WorkspaceCheck.isWellFormed(workspaceId);
    }

    public static Check routeResolutionFilter(RouteTableHolder holder) {
        return new RouteResolutionCheck(holder);
    }

    public static Check scopeAuthorizationFilter() {
        return new ScopeCheck();
    }

    /** With ownership verified, the default ({@code gateway.workspaces.verify-ownership: true}). */
    public static Check workspaceFilter(ApiKeyStore store) {
        return new WorkspaceCheck(store, new WorkspaceProperties(true));
    }
}
