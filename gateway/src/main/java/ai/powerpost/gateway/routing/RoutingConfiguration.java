package ai.powerpost.gateway.routing;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Loads routes.yml into the route table, and keeps the table in force up to date
 * ({@link RouteTableReloader}). How requests are matched against it: {@code access.AccessConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RoutingConfiguration.class);

    /** Upstream URIs: the environment's {@code GATEWAY_UPSTREAM_<NAME>}. */
    @Bean
    UpstreamEnvironment upstreamEnvironment(Environment environment) {
        return environment::getProperty;
    }

    /** The table as loaded at start-up (a bad file stops the start); see {@link RouteTableHolder} for the live one. */
    @Bean
    RouteTable routeTable(RoutingProperties properties, UpstreamEnvironment upstreams) {
        RouteTable table = RouteTableParser.load(properties.file(), upstreams);
        log.info("loaded {} from {}", table, properties.file().toAbsolutePath().normalize());
        return table;
    }

    @Bean
    RouteTableHolder routeTableHolder(RouteTable routeTable) {
        return new RouteTableHolder(routeTable);
    }

    @Bean
    RouteTableReloader routeTableReloader(
            RoutingProperties properties,
            RouteTableHolder holder,
            UpstreamEnvironment upstreams,
            ApplicationEventPublisher events,
            MeterRegistry meters) {
        return new RouteTableReloader(
                properties.file(), properties.reloadInterval(), holder, upstreams, events, meters);
    }
}
