package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.pipeline.Check;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * For the JMH benchmarks only (bench/jmh): {@link UsageRecordingCheck} over a
 * {@link LastUsedRecorder} and a {@link KeyUsageRecorder} that are never started, so they never
 * flush (recording touches no Redis).
 */
public final class UsageBenchAccess {

    private UsageBenchAccess() {}

    public static Check usageRecordingFilter(MeterRegistry meters) {
        UsageProperties properties = new UsageProperties(Duration.ofSeconds(5), 100_000);
        LastUsedRecorder lastUsed = new LastUsedRecorder(null, properties, meters);
        UsageStore store = new UsageStore(null, meters, Clock.systemUTC());
        return new UsageRecordingCheck(
                lastUsed, new KeyUsageRecorder(null, properties, store, lastUsed, meters, Clock.systemUTC()));
    }
}
