package ai.powerpost.gateway.usage;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.cloud.gateway.filter.GlobalFilter;

/**
 * For the JMH benchmarks only (bench/jmh): {@link UsageRecordingFilter} over a
 * {@link LastUsedRecorder} and a {@link KeyUsageRecorder} that are never started, so they never
 * flush (recording touches no Redis).
 */
public final class UsageBenchAccess {

    private UsageBenchAccess() {}

    public static GlobalFilter usageRecordingFilter(MeterRegistry meters) {
        UsageProperties properties = new UsageProperties(Duration.ofSeconds(5), 100_000);
        LastUsedRecorder lastUsed = new LastUsedRecorder(null, properties, meters);
        UsageStore store = new UsageStore(null, meters, Clock.systemUTC());
        return new UsageRecordingFilter(
                lastUsed, new KeyUsageRecorder(null, properties, store, lastUsed, meters, Clock.systemUTC()));
    }
}
