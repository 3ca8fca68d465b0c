package ai.powerpost.gateway.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis client behaviour for an edge proxy: while the connection is down, commands fail at once
 * instead of queueing until a reconnect. A request then gets its answer (the outage grace, or a
 * 503) immediately rather than after a timeout, and nothing piles up in memory during an outage.
 * In Sentinel mode, commands and the invalidation subscription follow a promotion at once
 * ({@link SentinelPrimaryWatcher}).
 */
@Configuration(proxyBeanMethods = false)
class RedisClientConfiguration {

    /**
     * Redis command latency per command type: {@code lettuce_command_completion_seconds}, as
     * histogram buckets (aggregated across replicas by Prometheus). No client-side percentiles
     * (Lettuce's default publishes five): they cannot be aggregated across replicas, and they are
     * kept in HdrHistogram recorders whose phase flip waits with {@code Thread.yield}; BlockHound
     * caught one on a Lettuce event loop during a Sentinel failover test.
     */
    @Bean
    ClientResourcesBuilderCustomizer commandLatencyMetrics(MeterRegistry meters) {
        return resources -> resources.commandLatencyRecorder(new MicrometerCommandLatencyRecorder(
                meters,
                MicrometerOptions.builder()
                        .histogram(true)
                        .targetPercentiles(new double[0])
                        .build()));
    }

    /** Lettuce's reconnects and look-ups on threads that may wait ({@link LettuceWorkers}). */
    @Bean(destroyMethod = "shutdownGracefully")
    LettuceWorkers lettuceWorkers() {
        return new LettuceWorkers();
    }

    @Bean
    ClientResourcesBuilderCustomizer lettuceWorkerThreads(LettuceWorkers workers) {
        return resources -> resources.eventExecutorGroup(workers);
    }

    /**
     * Opens the shared connection when the factory starts, on the main thread. Lazily, the first
     * request would open it with a blocking join on a Netty event loop.
     */
    @Bean
    static BeanPostProcessor eagerSharedRedisConnection() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof LettuceConnectionFactory factory) {
                    factory.setEagerInitialization(true);
                }
                return bean;
            }
        };
    }

    /** In place of Spring Boot's (same bean name): every command handed to the driver off the event loops. */
    @Bean
    RedisDispatchTemplate reactiveStringRedisTemplate(ReactiveRedisConnectionFactory factory) {
        return new RedisDispatchTemplate(factory);
    }

    @Bean
    LettuceClientOptionsBuilderCustomizer failFastWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    /**
     * In Sentinel mode: moves the commands and the invalidation subscription to a promoted
     * primary the moment the sentinels announce it (see {@link SentinelPrimaryWatcher} for why
     * Lettuce alone does not).
     */
    @Bean
    @ConditionalOnProperty("spring.data.redis.sentinel.master")
    SentinelPrimaryWatcher sentinelPrimaryWatcher(LettuceConnectionFactory factory, ApplicationEventPublisher events) {
        return new SentinelPrimaryWatcher(factory, events);
    }
}
