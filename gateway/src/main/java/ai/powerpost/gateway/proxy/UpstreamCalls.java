package ai.powerpost.gateway.proxy;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ai.powerpost.gateway.routing.Resilience;
import ai.powerpost.gateway.routing.RouteSpec;
import ai.powerpost.gateway.routing.RouteTable;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.cloud.gateway.route.Route;

/**
 * Per routes.yml route, prepared once: the Spring Cloud Gateway {@link Route} carrying its
 * timeouts, and its circuit breaker (one per upstream, or the route's own when routes.yml gives it
 * other breaker settings). A breaker keeps the settings it was created with: changing breaker
 * settings in routes.yml takes effect on the next start.
 */
final class UpstreamCalls {

    /** Keyed by the whole spec (a value): a reloaded route with new settings gets a new Route. */
    private final Map<RouteSpec, Route> routes = new ConcurrentHashMap<>();
    private final CircuitBreakerRegistry breakers;

    UpstreamCalls(RouteTable table, CircuitBreakerRegistry breakers) {
        this.breakers = breakers;
        table.routes().forEach(spec -> {
            route(spec);
            breaker(spec);
        });
    }

    Route route(RouteSpec spec) {
        Route route = routes.get(spec);
        if (route == null) {
            if (routes.size() > 10_000) {
                routes.clear(); // many reloads later: drop specs no table uses any more
            }
            route = routes.computeIfAbsent(spec, UpstreamCalls::prepare);
        }
        return route;
    }

    private static Route prepare(RouteSpec spec) {
        return Route.async()
                .id(spec.id())
                .uri(spec.upstream().uri())
                .metadata(UpstreamCallFilter.metadata(spec))
                .predicate(exchange -> true)
                .build();
    }

    CircuitBreaker breaker(RouteSpec spec) {
        return breakers.circuitBreaker(spec.breakerName(), () -> config(spec.resilience().breaker()));
    }

    Set<String> breakerNames() {
        return breakers.getAllCircuitBreakers().stream().map(CircuitBreaker::getName)
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
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                // no lock on the event loop: the default synchronised window blocks under contention
                .slidingWindowSynchronizationStrategy(CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .build();
    }

}
