package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The untagged-key filter's Bloom filter: never a false negative, under 1 % false positives at capacity. */
class BloomFilterTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static String randomHash() {
        return ApiKeys.hash(ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 1000, 100_000})
    void everyHashAddedIsFoundEvenFarPastCapacity(int capacity) {
        BloomFilter filter = new BloomFilter(capacity);
        List<String> added = new ArrayList<>();
        for (int i = 0; i < Math.max(3 * capacity, 1000); i++) {
            String hash = randomHash();
            filter.add(hash);
            added.add(hash);
        }
        assertThat(added).allMatch(filter::mightContain);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 10_000, 200_000})
    void falsePositivesStayUnderOnePercentAtCapacity(int capacity) {
        BloomFilter filter = new BloomFilter(capacity);
        for (int i = 0; i < capacity; i++) {
            filter.add(randomHash());
        }
        int trials = 200_000;
        int positives = 0;
        for (int i = 0; i < trials; i++) {
            if (filter.mightContain(randomHash())) {
                positives++;
            }
        }
        assertThat((double) positives / trials).isLessThan(0.01);
    }

    @Test
    void isSizedAtAboutElevenBitsAndEightProbesPerEntry() {
        BloomFilter filter = new BloomFilter(10_000);
        assertThat(filter.bits()).isBetween(110_000L, 111_000L);
        assertThat(filter.probes()).isEqualTo(8);
    }

    @Test
    void saysWhenItIsPastCapacity() {
        BloomFilter filter = new BloomFilter(2);
        filter.add(randomHash());
        filter.add(randomHash());
        assertThat(filter.full()).isFalse();
        filter.add(randomHash());
        assertThat(filter.full()).isTrue();
    }

    @Test
    void concurrentAddsLoseNoBit() throws InterruptedException {
        BloomFilter filter = new BloomFilter(1000); // small: threads contend on the same words
        List<List<String>> perThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            List<String> hashes = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                hashes.add(randomHash());
            }
            perThread.add(hashes);
            threads.add(new Thread(() -> hashes.forEach(filter::add)));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        perThread.forEach(hashes -> assertThat(hashes).allMatch(filter::mightContain));
    }

    @Test
    void knowsAKeyHashWhenItSeesOne() {
        assertThat(BloomFilter.isKeyHash(randomHash())).isTrue();
        assertThat(BloomFilter.isKeyHash("abc")).isFalse();
        assertThat(BloomFilter.isKeyHash("g".repeat(64))).isFalse();
    }

    @Test
    void refusesANonPositiveCapacity() {
        assertThatThrownBy(() -> new BloomFilter(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be at least 1, but was 0");
    }
}
