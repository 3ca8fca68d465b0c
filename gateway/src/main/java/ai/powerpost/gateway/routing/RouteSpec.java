package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.auth.Scope;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One route of routes.yml, validated, with every default resolved, immutable.
 *
 * @param id                unique route id; used in logs and as a metric tag
 * @param methods           the HTTP methods it answers (upper case)
 * @param path              the path template
 * @param scope             the one scope a key needs for it
 * @param workspaceRequired whether {@code X-Workspace-Id} is required
 * @param upstream          the upstream it proxies to
 * @param rateLimit         its per-key rate-limit class, or null when unlimited
 * @param maxBodyBytes      the largest request body it accepts
 * @param resilience        timeouts, retries and breaker settings (the upstream's, or this route's overrides)
 * @param breakerName       the circuit breaker it shares: the upstream's, or its own when it overrides the settings
 */
public record RouteSpec(
        String id,
        Set<String> methods,
        PathTemplate path,
        Scope scope,
        boolean workspaceRequired,
        Upstream upstream,
        @Nullable RateLimitClass rateLimit,
        long maxBodyBytes,
        Resilience resilience,
        String breakerName) {}
