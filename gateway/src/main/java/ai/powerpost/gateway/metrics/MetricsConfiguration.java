package ai.powerpost.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the metrics package. */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    GatewayMeters gatewayMeters(MeterRegistry registry) {
        return new GatewayMeters(registry);
    }

    /**
     * Meters left out of the scrape: Lettuce's per-call observations (the command latency
     * histogram {@code lettuce_command_*} covers Redis), the HTTP client timers (the gateway's own
     * {@code gateway_upstream_*} covers upstream calls), and three JVM meters whose names
     * {@code promtool check metrics} rejects (units abbreviated, a gauge named {@code _count}).
     */
    @Bean
    MeterFilter scrapeHygiene() {
        Set<String> denied = Set.of(
                "lettuce",
                "lettuce.active",
                "http.client.requests",
                "http.client.requests.active",
                "jvm.compilation.time",
                "process.cpu.time",
                "system.cpu.count");
        return MeterFilter.deny(id -> denied.contains(id.getName()));
    }

    @Bean
    AccessLogCheck accessLogFilter(GatewayMeters meters) {
        return new AccessLogCheck(meters);
    }
}
