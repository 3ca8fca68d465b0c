package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.routing.Resilience;
import ai.powerpost.gateway.routing.RouteSpec;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableHolder;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.route.Route;

/**
 * Per routes.yml route, prepared once: for each mode of key, the Spring Cloud Gateway {@link Route}
 * carrying the target URI and the route's timeouts, and the circuit breaker the call goes through
 * ({@link Call}). A live key's call goes to the upstream's {@code uri} through the upstream's breaker
 * (or the route's own when routes.yml gives it other breaker settings); a test key's call goes to
 * its {@code sandbox-uri} through a breaker of its own, named {@code <live breaker>}{@value #SANDBOX_SUFFIX}
 * (so a failing sandbox never opens the live breaker, and dashboards tell the two apart). A route
 * whose upstream has no sandbox has no test call at all: a test key can never be sent to the live
 * URI. A breaker keeps the settings it was created with: changing breaker settings in routes.yml
 * takes effect on the next start.
 */
final class UpstreamCalls {

    /**
     * Appended to the live breaker's name for the sandbox's: {@code @} is in neither an upstream's
     * name nor a route's id, so no live breaker can be named like a sandbox's.
     */
    static final String SANDBOX_SUFFIX = "@sandbox";

    /**
     * Where one call goes and the breaker it goes through.
     *
     * @param origin the target's {@code scheme://host[:port]}, to which a request's path and query
     *               are appended ({@link #url})
     */
    record Call(Route route, CircuitBreaker breaker, String origin) {

        /**
         * The upstream URL of a request: the target's scheme, host and port, the request's raw path
         * and raw query, byte for byte (the path is canonical, the query as the client sent it, less
         * any {@code _method}). What Spring Cloud Gateway's {@code RouteToRequestUrlFilter} computes,
         * without its URI builder per request: it is switched off (application.yml), so this is the
         * one place the upstream URL is made.
         */
        URI url(URI request) {
            String path = request.getRawPath();
            String query = request.getRawQuery();
            int length = origin.length() + path.length() + (query == null ? 0 : query.length() + 1);
            StringBuilder url = new StringBuilder(length).append(origin).append(path);
            if (query != null) {
                url.append('?').append(query);
            }
            return URI.create(url.toString());
        }
    }

    private final RouteTableHolder holder;
    private final CircuitBreakerRegistry breakers;
    private final @Nullable Integer defaultConnectMillis;
    private volatile Prepared prepared;

    /** The calls of one table, by route id (a String hash, cached: nothing is hashed per request). */
    private record Prepared(RouteTable table, Map<String, Call> live, Map<String, Call> sandbox) {}

    /**
     * @param defaultConnectMillis the HTTP client's own connect timeout
     *        ({@code spring.cloud.gateway.server.webflux.httpclient.connect-timeout}), or null
     */
    UpstreamCalls(RouteTableHolder holder, CircuitBreakerRegistry breakers, @Nullable Integer defaultConnectMillis) {
        this.holder = holder;
        this.breakers = breakers;
        this.defaultConnectMillis = defaultConnectMillis;
        this.prepared = prepare(holder.current());
    }

    private Prepared prepare(RouteTable table) {
        Map<String, Call> live = new HashMap<>();
        Map<String, Call> sandbox = new HashMap<>();
        for (RouteSpec spec : table.routes()) {
            live.put(spec.id(), prepare(spec, KeyMode.LIVE));
            if (spec.upstream().hasSandbox()) {
                sandbox.put(spec.id(), prepare(spec, KeyMode.TEST));
            }
        }
        return new Prepared(table, Map.copyOf(live), Map.copyOf(sandbox));
    }

    /**
     * The call for a spec of the table in force (rebuilt once after a reload) and a key of
     * {@code mode}; null for a test key on a route whose upstream has no sandbox.
     */
    @Nullable
    Call call(RouteSpec spec, KeyMode mode) {
        Prepared current = prepared;
        if (current.table() != holder.current()) {
            current = prepare(holder.current());
            prepared = current;
        }
        boolean test = mode == KeyMode.TEST;
        Call call = (test ? current.sandbox() : current.live()).get(spec.id());
        if (call != null || (test && !spec.upstream().hasSandbox())) {
            return call;
        }
        // a request matched just before a reload that removed or changed its route: prepare it on the spot
        return prepare(spec, mode);
    }

    /** A new call for {@code spec} and a key of {@code mode}; the mode must have somewhere to go. */
    private Call prepare(RouteSpec spec, KeyMode mode) {
        boolean test = mode == KeyMode.TEST;
        URI target = test ? spec.upstream().sandboxUri() : spec.upstream().uri();
        if (target == null) {
            throw new IllegalArgumentException("upstream '" + spec.upstream().name() + "' has no sandbox");
        }
        Route route = Route.async()
                .id(spec.id())
                .uri(target)
                .metadata(UpstreamCallFilter.metadata(spec, defaultConnectMillis))
                .predicate(exchange -> true)
                .build();
        String breakerName = test ? spec.breakerName() + SANDBOX_SUFFIX : spec.breakerName();
        return new Call(
                route,
                breakers.circuitBreaker(
                        breakerName, () -> config(spec.resilience().breaker())),
                origin(target));
    }

    /** {@code scheme://host[:port]} of {@code target} (its path, if any, is not the upstream's: as Spring Cloud Gateway did). */
    static String origin(URI target) {
        return target.getScheme() + "://" + target.getRawAuthority();
    }

    Set<String> breakerNames() {
        return breakers.getAllCircuitBreakers().stream()
                .map(CircuitBreaker::getName)
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    static CircuitBreakerConfig config(Resilience.Breaker settings) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRatePercent())
                .minimumNumberOfCalls(settings.minimumCalls())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(settings.minimumCalls(), 20))
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                // no slow-call rule: a call spans the response body (a 500 MB upload or download
                // takes minutes and is no sign of a failing upstream); the route's response-timeout
                // is the only clock, and a timeout is a failure
                .slowCallDurationThreshold(java.time.Duration.ofDays(365))
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                // no lock on the event loop: the default synchronised window blocks under contention
                .slidingWindowSynchronizationStrategy(
                        CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .build();
    }
}
