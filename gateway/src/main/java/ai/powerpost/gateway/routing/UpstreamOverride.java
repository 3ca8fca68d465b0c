package ai.powerpost.gateway.routing;

import org.jspecify.annotations.Nullable;

/**
 * A source of upstream URIs that outranks routes.yml, consulted before the environment's
 * {@code GATEWAY_UPSTREAM_<NAME>}. The demo profile provides one for its built-in mock backend.
 */
@FunctionalInterface
public interface UpstreamOverride {

    /** The URI for {@code variable} (e.g. {@code GATEWAY_UPSTREAM_POWERPOST}), or null to pass. */
    @Nullable String uriFor(String variable);
}
