package ai.powerpost.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The access log's milliseconds are written without a Formatter, yet read as "%.3f" would write them. */
class AccessLogMillisTest {

    @Test
    void writesWhatStringFormatWouldWrite() {
        long[] edges = {
            0,
            1,
            499,
            500,
            999,
            1_000,
            1_499,
            1_500,
            9_999,
            10_000,
            99_500,
            999_999,
            1_000_000,
            1_234_567,
            25_000_000,
            999_999_499,
            60_000_000_000L,
            3_600_000_000_000L
        };
        for (long nanos : edges) {
            assertThat(AccessLogCheck.millis(new StringBuilder(), nanos).toString())
                    .as("%d ns", nanos)
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", nanos / 1e6));
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long nanos = random.nextLong(0, 120_000_000_000L) / (1L << random.nextInt(0, 30));
            if (nanos % 1000 == 500) {
                continue; // a tie: rounded half-up here, by the double's binary value in String.format
            }
            assertThat(AccessLogCheck.millis(new StringBuilder(), nanos).toString())
                    .as("%d ns", nanos)
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", nanos / 1e6));
        }
    }

    @Test
    void negativeDurationsAreZero() {
        assertThat(AccessLogCheck.millis(new StringBuilder(), -5).toString()).isEqualTo("0.000");
    }
}
