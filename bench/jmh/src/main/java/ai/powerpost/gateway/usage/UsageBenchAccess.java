package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.pipeline.Check;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * For the JMH benchmarks only (bench/jmh): {@link UsageRecordingCheck} over a
 * {@link LastUsedRecorder} and a {@link KeyUsageRecorder} that are never started, so they never
 * flush (recording touches no Redis).
 */
public final class UsageBenchAccess {

    private UsageBenchAccess() {}

    public static Check usageRecordingFilter(MeterRegistry meters) {
        UsageProperties properties = new UsageProperties(Duration.ofSeconds(5), 100_000);
        // a template over a connection factory never started: the recorders read only its kind
        ReactiveStringRedisTemplate redis = new ReactiveStringRedisTemplate(new LettuceConnectionFactory());
        LastUsedRecorder lastUsed = new LastUsedRecorder(redis, properties, meters);
        UsageStore store = new UsageStore(redis, meters, Clock.systemUTC());
        return new UsageRecordingCheck(
                lastUsed, new KeyUsageRecorder(redis, properties, store, lastUsed, meters, Clock.systemUTC()));
    }
}
