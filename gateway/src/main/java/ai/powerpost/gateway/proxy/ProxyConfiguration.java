package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.routing.RouteTableHolder;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the proxy package: circuit breakers (with their metrics), the upstream call filter, body
 * limits, and the HTTP client's decoder failures as one type ({@link UpstreamDecoderFailures}).
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    @Bean
    CircuitBreakerRegistry upstreamCircuitBreakers(MeterRegistry meters) {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        BreakerMetrics.bind(registry, meters);
        return registry;
    }

    @Bean
    UpstreamCallFilter upstreamCallFilter(
            RouteTableHolder routes, CircuitBreakerRegistry breakers, HttpClientProperties httpClient) {
        return new UpstreamCallFilter(new UpstreamCalls(routes, breakers, httpClient.getConnectTimeout()));
    }

    /** Applied by Spring Cloud Gateway to the one HTTP client it builds, which the Netty routing filter uses. */
    @Bean
    HttpClientCustomizer upstreamDecoderFailures() {
        return UpstreamDecoderFailures::install;
    }

    @Bean
    BodyLimitCheck requestBodyFilter() {
        return new BodyLimitCheck();
    }
}
