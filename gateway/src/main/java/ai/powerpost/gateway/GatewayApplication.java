package ai.powerpost.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * Boot entry point only.
 *
 * <p>Component scanning skips {@link ManagementContextConfiguration} classes: those (the key
 * management API) belong to the management server's child context and must never be served on
 * the public port.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ConfigurationPropertiesScan
@ComponentScan(
        excludeFilters = {
            @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
            @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
            @ComponentScan.Filter(type = FilterType.ANNOTATION, classes = ManagementContextConfiguration.class)
        })
public class GatewayApplication {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(GatewayApplication.class, args);
        exitCleanlyOnSigterm(context);
    }

    /**
     * SIGTERM (Kubernetes, Docker stop) closes the context, which stops accepting, lets in-flight
     * requests finish (graceful shutdown, bounded by spring.lifecycle.timeout-per-shutdown-phase),
     * flushes pending last-used times, and then exits with 0 rather than the JVM's 143.
     */
    @SuppressWarnings("removal")
    private static void exitCleanlyOnSigterm(ConfigurableApplicationContext context) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
                Thread stopper = new Thread(() -> System.exit(SpringApplication.exit(context)), "sigterm-shutdown");
                stopper.start();
            });
        } catch (IllegalArgumentException unsupported) {
            // No SIGTERM on this platform: the JVM's own shutdown hook still closes the context.
        }
    }
}
