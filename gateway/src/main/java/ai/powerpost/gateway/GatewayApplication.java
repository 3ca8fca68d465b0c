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

    /** Reactor Netty's own setting of its event-loop count (its default: at least 4, whatever the cores). */
    static final String IO_WORKER_COUNT = "reactor.netty.ioWorkerCount";

    public static void main(String[] args) {
        oneEventLoopPerCore();
        ConfigurableApplicationContext context = SpringApplication.run(GatewayApplication.class, args);
        exitCleanlyOnSigterm(context);
    }

    /**
     * One event loop per available core, unless {@value #IO_WORKER_COUNT} is set: Reactor Netty's
     * default of at least four loops put twice as many loops as cores on a 2-core replica, and the
     * benchmark measured two loops at 1.2× the requests per CPU-second of four at 8 connections and
     * 1.08× at 64 (docs/performance.md, "Event loops and the allocator"). Set before anything of
     * Reactor Netty is loaded, which reads it once.
     */
    static void oneEventLoopPerCore() {
        if (System.getProperty(IO_WORKER_COUNT) == null) {
            System.setProperty(
                    IO_WORKER_COUNT,
                    Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors())));
        }
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
