package ai.powerpost.gateway.metrics;

import ai.powerpost.gateway.web.TrustedProxies;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the metrics package. */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    GatewayMeters gatewayMeters(MeterRegistry registry) {
        return new GatewayMeters(registry);
    }

    @Bean
    AccessLogFilter accessLogFilter(GatewayMeters meters, TrustedProxies proxies) {
        return new AccessLogFilter(meters, proxies);
    }
}
