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
 * other breaker settings).
 */
final class UpstreamCalls {

    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final CircuitBreakerRegistry breakers;

    UpstreamCalls(RouteTable table, CircuitBreakerRegistry breakers) {
        this.breakers = breakers;
        for (RouteSpec spec : table.routes()) {
            routes.put(spec.id(), Route.async()
                    .id(spec.id())
                    .uri(spec.upstream().uri())
                    .metadata(UpstreamCallFilter.metadata(spec))
                    .predicate(exchange -> true)
                    .build());
            breaker(spec);
        }
    }

    Route route(RouteSpec spec) {
        return routes.get(spec.id());
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
                .build();
    }

}
