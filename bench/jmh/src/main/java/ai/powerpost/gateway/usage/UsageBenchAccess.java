package ai.powerpost.gateway.usage;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.cloud.gateway.filter.GlobalFilter;

/**
 * For the JMH benchmarks only (bench/jmh): {@link UsageRecordingFilter} over a
 * {@link LastUsedRecorder} that is never started, so it never flushes (recording touches no Redis).
 */
public final class UsageBenchAccess {

    private UsageBenchAccess() {}

    public static GlobalFilter usageRecordingFilter(MeterRegistry meters) {
        return new UsageRecordingFilter(
                new LastUsedRecorder(null, new UsageProperties(Duration.ofSeconds(5), 100_000), meters));
    }
}
