package ai.powerpost.gateway.routing;

import java.net.URI;

/**
 * A named backend that routes proxy to.
 *
 * @param name the name routes refer to, for example {@code powerpost}
 * @param uri  base URI (scheme, host, port); the request path is appended unchanged
 */
public record Upstream(String name, URI uri) {

    /** The environment variable that overrides this upstream's URI: {@code GATEWAY_UPSTREAM_<NAME>}. */
    public static String overrideVariable(String name) {
        return "GATEWAY_UPSTREAM_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
