package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvictedCountsTest {

    @Test
    void neverEstimatesBelowWhatWasRecordedWhateverTheCollisions() {
        EvictedCounts sketch = new EvictedCounts();
        Map<String, Long> recorded = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            String key = "key_" + i;
            long count = i % 97;
            sketch.record(key, 1000, count);
            recorded.put(key, count);
        }
        recorded.forEach((key, count) -> assertThat(sketch.estimate(key, 1000)).isGreaterThanOrEqualTo(count));
    }

    @Test
    void aKeyNeverRecordedInThatWindowUsuallyStartsFromZero() {
        EvictedCounts sketch = new EvictedCounts();
        for (int i = 0; i < 1000; i++) {
            sketch.record("key_" + i, 1000, 10);
        }
        long overestimated = java.util.stream.IntStream.range(0, 1000)
                .filter(i -> sketch.estimate("other_" + i, 1000) > 0)
                .count();
        assertThat(overestimated).isLessThan(10);
    }

    @Test
    void keepsTheLargestCountOfTheNewestWindowOnly() {
        EvictedCounts sketch = new EvictedCounts();
        sketch.record("key_a", 1000, 7);
        sketch.record("key_a", 1000, 3);
        assertThat(sketch.estimate("key_a", 1000)).isEqualTo(7);
        sketch.record("key_a", 2000, 2);
        assertThat(sketch.estimate("key_a", 2000)).isEqualTo(2);
        assertThat(sketch.estimate("key_a", 1000)).isZero();
        sketch.record("key_a", 1000, 9); // an older window, over by now
        assertThat(sketch.estimate("key_a", 2000)).isEqualTo(2);
    }
}
