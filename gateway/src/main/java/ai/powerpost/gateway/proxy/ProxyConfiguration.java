package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.routing.RouteTableHolder;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the proxy package: circuit breakers (with their metrics), the upstream call filter, body limits. */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    @Bean
    CircuitBreakerRegistry upstreamCircuitBreakers(MeterRegistry meters) {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        return registry;
    }

    @Bean
    UpstreamCallFilter upstreamCallFilter(RouteTableHolder routes, CircuitBreakerRegistry breakers) {
        return new UpstreamCallFilter(new UpstreamCalls(routes, breakers));
    }

    @Bean
    BodyLimitFilter bodyLimitFilter() {
        return new BodyLimitFilter();
    }
}
