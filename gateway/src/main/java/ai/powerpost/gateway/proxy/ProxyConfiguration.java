package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.routing.RouteTable;
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
    UpstreamCallFilter upstreamCallFilter(RouteTable table, CircuitBreakerRegistry breakers) {
        return new UpstreamCallFilter(new UpstreamCalls(table, breakers));
    }

    @Bean
    BodyLimitFilter bodyLimitFilter() {
        return new BodyLimitFilter();
    }
}
