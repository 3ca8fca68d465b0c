package ai.powerpost.gateway.usage;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** Wires the usage package. */
@Configuration(proxyBeanMethods = false)
class UsageConfiguration {

    @Bean
    LastUsedRecorder lastUsedRecorder(
            ReactiveStringRedisTemplate redis, UsageProperties properties, MeterRegistry meters) {
        return new LastUsedRecorder(redis, properties, meters);
    }

    /** The reads of usage per key and its findings (the management API's and the console's), and their writer. */
    @Bean
    UsageStore usageStore(ReactiveStringRedisTemplate redis, MeterRegistry meters) {
        return new UsageStore(redis, meters, Clock.systemUTC());
    }

    @Bean
    KeyUsageRecorder keyUsageRecorder(
            ReactiveStringRedisTemplate redis,
            UsageProperties properties,
            UsageStore store,
            LastUsedRecorder lastUsed,
            MeterRegistry meters) {
        return new KeyUsageRecorder(redis, properties, store, lastUsed, meters, Clock.systemUTC());
    }

    @Bean
    UsageRecordingCheck usageRecordingFilter(LastUsedRecorder recorder, KeyUsageRecorder usage) {
        return new UsageRecordingCheck(recorder, usage);
    }
}
