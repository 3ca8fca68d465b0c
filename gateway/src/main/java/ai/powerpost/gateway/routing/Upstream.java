package ai.powerpost.gateway.routing;

import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A named backend that routes proxy to.
 *
 * @param name       the name routes refer to, for example {@code powerpost}
 * @param uri        base URI (scheme, host, port); the request path is appended unchanged. Only
 *                   live keys are ever sent here
 * @param sandboxUri the base URI test keys are sent to ({@code sandbox-uri}), or null when the
 *                   upstream has no sandbox: test keys are then refused on its routes, never sent
 *                   to {@code uri}
 * @param resilience timeouts, retries and circuit breaker for calls to it (the sandbox's calls have
 *                   the same settings and a breaker of their own)
 */
public record Upstream(String name, URI uri, @Nullable URI sandboxUri, Resilience resilience) {

    /** An upstream without a sandbox. */
    public Upstream(String name, URI uri, Resilience resilience) {
        this(name, uri, null, resilience);
    }

    /** Whether test keys may use its routes. */
    public boolean hasSandbox() {
        return sandboxUri != null;
    }

    /** The environment variable that overrides this upstream's URI: {@code GATEWAY_UPSTREAM_<NAME>}. */
    public static String overrideVariable(String name) {
        return "GATEWAY_UPSTREAM_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * The environment variable that sets this upstream's sandbox URI, whether or not routes.yml
     * declares one: {@code GATEWAY_UPSTREAM_<NAME>_SANDBOX}.
     */
    public static String sandboxOverrideVariable(String name) {
        return overrideVariable(name) + "_SANDBOX";
    }
}
