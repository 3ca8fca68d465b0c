package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.routing.Resilience;
import ai.powerpost.gateway.routing.RouteSpec;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableHolder;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.route.Route;

/**
 * Per routes.yml route, prepared once: the Spring Cloud Gateway {@link Route} carrying its
 * timeouts, and its circuit breaker (one per upstream, or the route's own when routes.yml gives it
 * other breaker settings). A breaker keeps the settings it was created with: changing breaker
 * settings in routes.yml takes effect on the next start.
 */
final class UpstreamCalls {

    private final RouteTableHolder holder;
    private final CircuitBreakerRegistry breakers;
    private final @Nullable Integer defaultConnectMillis;
    private volatile Prepared prepared;

    /** The Routes of one table, by route id (a String hash, cached: nothing is hashed per request). */
    private record Prepared(RouteTable table, Map<String, Route> byId) {}

    /**
     * @param defaultConnectMillis the HTTP client's own connect timeout
     *        ({@code spring.cloud.gateway.server.webflux.httpclient.connect-timeout}), or null
     */
    UpstreamCalls(RouteTableHolder holder, CircuitBreakerRegistry breakers, @Nullable Integer defaultConnectMillis) {
        this.holder = holder;
        this.breakers = breakers;
        this.defaultConnectMillis = defaultConnectMillis;
        this.prepared = prepare(holder.current());
        holder.current().routes().forEach(this::breaker);
    }

    private Prepared prepare(RouteTable table) {
        Map<String, Route> byId = new HashMap<>();
        table.routes().forEach(spec -> byId.put(spec.id(), prepare(spec)));
        return new Prepared(table, Map.copyOf(byId));
    }

    /** The Route for a spec of the table in force (rebuilt once after a reload). */
    Route route(RouteSpec spec) {
        Prepared current = prepared;
        if (current.table() != holder.current()) {
            current = prepare(holder.current());
            prepared = current;
        }
        Route route = current.byId().get(spec.id());
        // a request matched just before a reload that removed its route: prepare it on the spot
        return route != null ? route : prepare(spec);
    }

    private Route prepare(RouteSpec spec) {
        return Route.async()
                .id(spec.id())
                .uri(spec.upstream().uri())
                .metadata(UpstreamCallFilter.metadata(spec, defaultConnectMillis))
                .predicate(exchange -> true)
                .build();
    }

    CircuitBreaker breaker(RouteSpec spec) {
        return breakers.circuitBreaker(
                spec.breakerName(), () -> config(spec.resilience().breaker()));
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
