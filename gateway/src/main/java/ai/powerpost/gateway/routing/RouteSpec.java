package ai.powerpost.gateway.routing;

import java.util.Set;

import ai.powerpost.gateway.auth.Scope;

/**
 * One route of routes.yml, validated and immutable.
 *
 * @param id                unique route id; used in logs and as a metric tag
 * @param methods           the HTTP methods it answers (upper case)
 * @param path              the path template
 * @param scope             the one scope a key needs for it
 * @param workspaceRequired whether {@code X-Workspace-Id} is required
 * @param upstream          the upstream it proxies to
 */
public record RouteSpec(String id, Set<String> methods, PathTemplate path, Scope scope, boolean workspaceRequired,
                        Upstream upstream) {
}
