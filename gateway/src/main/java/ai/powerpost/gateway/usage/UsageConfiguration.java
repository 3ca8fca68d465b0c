package ai.powerpost.gateway.usage;

import io.micrometer.core.instrument.MeterRegistry;
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

    @Bean
    UsageRecordingFilter usageRecordingFilter(LastUsedRecorder recorder) {
        return new UsageRecordingFilter(recorder);
    }
}
