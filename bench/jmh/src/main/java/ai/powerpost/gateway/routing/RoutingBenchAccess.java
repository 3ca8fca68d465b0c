package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.auth.ApiKeyStore;
import org.springframework.cloud.gateway.filter.GlobalFilter;

/**
 * For the JMH benchmarks only (bench/jmh): the routing package's package-private pieces, built the
 * way {@link RoutingConfiguration} builds them.
 */
public final class RoutingBenchAccess {

    private RoutingBenchAccess() {
    }

    /** {@link WorkspaceFilter}'s check of the {@code X-Workspace-Id} form. */
    public static boolean workspaceWellFormed(String workspaceId) {
        return WorkspaceFilter.isWellFormed(workspaceId);
    }

    public static GlobalFilter routeResolutionFilter(RouteTableHolder holder) {
        return new RouteResolutionFilter(holder);
    }

    public static GlobalFilter scopeAuthorizationFilter() {
        return new ScopeAuthorizationFilter();
    }

    /** With ownership verified, the default ({@code gateway.workspaces.verify-ownership: true}). */
    public static GlobalFilter workspaceFilter(ApiKeyStore store) {
        return new WorkspaceFilter(store, new WorkspaceProperties(true));
    }
}
