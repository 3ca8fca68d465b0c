package ai.powerpost.gateway.routing;

import java.net.URI;
import java.util.Locale;

/**
 * A named backend that routes proxy to.
 *
 * @param name       the name routes refer to, for example {@code powerpost}
 * @param uri        base URI (scheme, host, port); the request path is appended unchanged
 * @param resilience timeouts, retries and circuit breaker for calls to it
 */
public record Upstream(String name, URI uri, Resilience resilience) {

    /** The environment variable that overrides this upstream's URI: {@code GATEWAY_UPSTREAM_<NAME>}. */
    public static String overrideVariable(String name) {
        return "GATEWAY_UPSTREAM_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
