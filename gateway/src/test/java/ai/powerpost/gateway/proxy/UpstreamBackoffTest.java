package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** GET retries back off exponentially from 50 ms, jittered, never below 50 ms nor above 500 ms. */
class UpstreamBackoffTest {

    @Test
    void growsThenCapsWithinBounds() {
        for (int retried = 0; retried < 40; retried++) {
            long base = Math.min(500, 50L << Math.min(retried, 20));
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 2_000; i++) {
                long millis = UpstreamCallFilter.backoff(retried).toMillis();
                min = Math.min(min, millis);
                max = Math.max(max, millis);
            }
            assertThat(min).as("retry %d", retried).isGreaterThanOrEqualTo(Math.max(50, base / 2));
            assertThat(max).as("retry %d", retried).isLessThanOrEqualTo(Math.min(500, base + base / 2));
            assertThat(max - min).as("retry %d is jittered", retried).isPositive();
        }
        assertThat(UpstreamCallFilter.backoff(30)).isLessThanOrEqualTo(Duration.ofMillis(500));
    }
}
