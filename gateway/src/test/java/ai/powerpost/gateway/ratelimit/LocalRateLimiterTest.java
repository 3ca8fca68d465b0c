package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.routing.RateLimitClass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The local decision: never more than the limit in a window on one replica, whatever happens. */
class LocalRateLimiterTest {

    private static final long T0 = 1_699_999_980_000L; // a window boundary for 60 s periods
    private static final RateLimitClass TEN_PER_MINUTE = new RateLimitClass("default", 10, Duration.ofSeconds(60));

    private final FakeClock clock = new FakeClock(T0);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private LocalRateLimiter limiter(long maxKeys) {
        return new LocalRateLimiter(
                new RateLimitProperties(Duration.ofMillis(100), 16, 500, maxKeys), clock, clock, meters);
    }

    private static int admitted(LocalRateLimiter limiter, String keyId, RateLimitClass limit, int attempts) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(keyId, limit).allowed()) {
                admitted++;
            }
        }
        return admitted;
    }

    @Test
    void neverAdmitsMoreThanTheLimitInAWindow() {
        LocalRateLimiter limiter = limiter(1000);
        assertThat(admitted(limiter, "key_a", TEN_PER_MINUTE, 1000)).isEqualTo(10);
        clock.advance(Duration.ofSeconds(59));
        assertThat(admitted(limiter, "key_a", TEN_PER_MINUTE, 100)).isZero();
    }

    @Test
    void neverAdmitsMoreThanTheLimitUnderConcurrency() throws Exception {
        LocalRateLimiter limiter = limiter(1000);
        RateLimitClass limit = new RateLimitClass("default", 500, Duration.ofSeconds(60));
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 1000; i++) {
                        if (limiter.tryAcquire("key_a", limit).allowed()) {
                            admitted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(admitted.get()).isEqualTo(500);
    }

    @Test
    void aNewWindowStartsAfresh() {
        LocalRateLimiter limiter = limiter(1000);
        assertThat(admitted(limiter, "key_a", TEN_PER_MINUTE, 20)).isEqualTo(10);
        clock.advance(Duration.ofSeconds(59).plusMillis(999));
        assertThat(limiter.tryAcquire("key_a", TEN_PER_MINUTE).allowed()).isFalse();
        clock.advance(Duration.ofMillis(1));
        Decision first = limiter.tryAcquire("key_a", TEN_PER_MINUTE);
        assertThat(first.allowed()).isTrue();
        assertThat(first.remaining()).isEqualTo(9);
        assertThat(first.resetEpochSeconds()).isEqualTo(T0 / 1000 + 120);
        assertThat(admitted(limiter, "key_a", TEN_PER_MINUTE, 20)).isEqualTo(9);
    }

    @Test
    void remainingCountsDownAndResetIsTheWindowEnd() {
        LocalRateLimiter limiter = limiter(1000);
        clock.advance(Duration.ofMillis(12_345));
        for (int i = 9; i >= 0; i--) {
            Decision decision = limiter.tryAcquire("key_a", TEN_PER_MINUTE);
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.limit()).isEqualTo(10);
            assertThat(decision.remaining()).isEqualTo(i);
            assertThat(decision.resetEpochSeconds()).isEqualTo(T0 / 1000 + 60);
        }
        Decision refused = limiter.tryAcquire("key_a", TEN_PER_MINUTE);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.resetEpochSeconds()).isEqualTo(T0 / 1000 + 60);
        assertThat(refused.retryAfterSeconds()).isEqualTo(48); // 47.655 s left, rounded up
    }

    @Test
    void eachKeyAndEachClassHasItsOwnBudget() {
        LocalRateLimiter limiter = limiter(1000);
        RateLimitClass generate = new RateLimitClass("generate", 3, Duration.ofSeconds(60));
        assertThat(admitted(limiter, "key_a", TEN_PER_MINUTE, 20)).isEqualTo(10);
        assertThat(admitted(limiter, "key_a", generate, 20)).isEqualTo(3);
        assertThat(admitted(limiter, "key_b", TEN_PER_MINUTE, 20)).isEqualTo(10);
    }

    @Test
    void whatOtherReplicasAdmittedIsSubtracted() {
        LocalRateLimiter limiter = limiter(1000);
        limiter.tryAcquire("key_a", TEN_PER_MINUTE);
        WindowCount count =
                limiter.pending().drain(RateLimitKeys.shard("key_a", 16)).get(0);
        count.observeOthers(6);
        Decision decision = limiter.tryAcquire("key_a", TEN_PER_MINUTE);
        assertThat(decision.remaining()).isEqualTo(2); // 10 - 1 - 1 - 6
        assertThat(admitted(limiter, "key_a", TEN_PER_MINUTE, 20)).isEqualTo(2);
        count.observeOthers(3); // a stale, smaller total never lowers it
        assertThat(count.others()).isEqualTo(6);
    }

    @Test
    void aCountIsQueuedForSyncOnceHoweverManyRequests() {
        LocalRateLimiter limiter = limiter(1000);
        admitted(limiter, "key_a", TEN_PER_MINUTE, 5);
        int shard = RateLimitKeys.shard("key_a", 16);
        List<WindowCount> queued = limiter.pending().drain(shard);
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).takeForSync()).isEqualTo(5);
        assertThat(queued.get(0).redisKey()).isEqualTo("ppgw:rl:{rl:" + shard + "}:default:" + T0 + ":key_a");
        limiter.tryAcquire("key_a", TEN_PER_MINUTE); // admitted after the sync took the count
        assertThat(limiter.pending().drain(shard)).hasSize(1);
    }

    @Test
    void evictionForSizeNeverGivesAKeyMoreThanItsLimit() {
        LocalRateLimiter limiter = limiter(2);
        int[] admitted = new int[50];
        for (int round = 0; round < 40; round++) {
            for (int key = 0; key < admitted.length; key++) {
                if (limiter.tryAcquire("key_" + key, TEN_PER_MINUTE).allowed()) {
                    admitted[key]++;
                }
            }
        }
        assertThat(java.util.Arrays.stream(admitted).max().orElse(0)).isLessThanOrEqualTo(10);
        assertThat(java.util.Arrays.stream(admitted).sum())
                .as("evicted keys are not starved")
                .isGreaterThan(400);
        assertThat(limiter.countsInMemory()).isLessThanOrEqualTo(2);
        assertThat(meters.counter(RateLimitMeters.EVICTED).count()).isPositive();
    }

    @Test
    void memoryIsBoundedWhateverTheNumberOfKeys() {
        LocalRateLimiter limiter = limiter(100);
        for (int key = 0; key < 10_000; key++) {
            limiter.tryAcquire("key_" + key, TEN_PER_MINUTE);
        }
        assertThat(limiter.countsInMemory()).isLessThanOrEqualTo(100);
    }

    @Test
    void countsExpireWithTheirWindow() {
        LocalRateLimiter limiter = limiter(1000);
        for (int key = 0; key < 100; key++) {
            limiter.tryAcquire("key_" + key, TEN_PER_MINUTE);
        }
        assertThat(limiter.countsInMemory()).isEqualTo(100);
        clock.advance(Duration.ofSeconds(70));
        assertThat(limiter.countsInMemory()).isZero();
    }
}
