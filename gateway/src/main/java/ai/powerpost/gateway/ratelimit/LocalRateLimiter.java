package ai.powerpost.gateway.ratelimit;

import ai.powerpost.gateway.routing.RateLimitClass;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Decides every request locally, in memory, with no I/O: a fixed-window counter per
 * (key, class, window), admitting while this replica's own count plus the other replicas' count
 * (as last read from Redis by {@link RateLimitReconciler}) stays below the class's limit.
 *
 * <p>Memory is bounded: the counts live in a Caffeine cache of at most {@code max-keys} entries,
 * each expiring when its window ends. A count evicted for size while its window runs is sealed and
 * remembered in a fixed-size sketch ({@link EvictedCounts}), from which its successor starts, so
 * eviction never gives a key more than its limit on this replica.
 */
final class LocalRateLimiter {

    /** Counts live past their window's end by this much, in case the wall clock steps back a little. */
    private static final long EXPIRY_SLACK_NANOS = Duration.ofSeconds(5).toNanos();

    private final int shards;
    private final LongSupplier clock;
    private final PendingSync pending;
    private final Cache<Bucket, WindowCount> counts;
    private final Map<String, EvictedCounts> evicted = new ConcurrentHashMap<>();
    private final Counter evictions;

    /** One count's identity: a key's use of one class in one window. */
    private record Bucket(String keyId, String className, long windowStart) {}

    /**
     * @param clock  Unix epoch milliseconds (windows are aligned on it, the same on every replica)
     * @param ticker Caffeine's time source for expiry
     */
    LocalRateLimiter(RateLimitProperties properties, LongSupplier clock, Ticker ticker, MeterRegistry meters) {
        this.shards = properties.shards();
        this.clock = clock;
        this.pending = new PendingSync(properties.shards());
        this.counts = Caffeine.newBuilder()
                .executor(Runnable::run) // maintenance (and evicted()) on the caller: no pool thread woken per request
                .ticker(ticker)
                .maximumSize(properties.maxKeys())
                .expireAfter(new UntilWindowEnds(clock))
                .evictionListener(this::evicted)
                .build();
        this.evictions = Counter.builder(RateLimitMeters.EVICTED)
                .description("Rate-limit counts evicted for size while their window was running")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder(
                        RateLimitMeters.COUNTS, this, limiter -> limiter.counts.estimatedSize())
                .description("Rate-limit counts held in memory (key, class, window)")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder(RateLimitMeters.PENDING, pending, PendingSync::size)
                .description("Rate-limit counts waiting for the next sync")
                .register(meters);
    }

    /** Admits or refuses one request of key {@code keyId} on a route of class {@code limit}. Never blocks. */
    Decision tryAcquire(String keyId, RateLimitClass limit) {
        long now = clock.getAsLong();
        Window window = Window.of(limit.per(), now);
        Bucket bucket = new Bucket(keyId, limit.name(), window.startMillis());
        WindowCount count = counts.getIfPresent(bucket);
        long remaining = count == null ? WindowCount.SEALED : count.tryAcquire(limit.requests());
        if (remaining == WindowCount.SEALED) {
            // Missing or just evicted: decide inside the map's compute, which an eviction of the same
            // bucket cannot interleave with, so the count is never sealed there.
            long[] result = new long[1];
            count = counts.asMap().compute(bucket, (b, existing) -> {
                WindowCount current = existing != null ? existing : create(b, window);
                result[0] = current.tryAcquire(limit.requests());
                return current;
            });
            remaining = result[0];
        }
        if (remaining == WindowCount.REJECTED || remaining == WindowCount.SEALED) {
            return new Decision(false, limit.requests(), 0, window.resetEpochSeconds(), window.secondsLeft(now));
        }
        long used = limit.requests() - remaining; // this admission included, the others' known ones too
        if (!PendingSync.quiet(used, limit.requests())) {
            if (count.markDirty()) {
                pending.offer(count);
            }
        } else if (count.markQuiet()) {
            pending.offerQuiet(count);
        }
        return new Decision(true, limit.requests(), remaining, window.resetEpochSeconds(), window.secondsLeft(now));
    }

    private WindowCount create(Bucket bucket, Window window) {
        EvictedCounts sketch = evicted.get(bucket.className());
        long initial = sketch == null ? 0 : sketch.estimate(bucket.keyId(), bucket.windowStart());
        return new WindowCount(
                bucket.keyId(), bucket.className(), RateLimitKeys.shard(bucket.keyId(), shards), window, initial);
    }

    /** Runs inside the cache's atomic removal: seals the count and remembers it while its window runs. */
    private void evicted(@Nullable Bucket bucket, @Nullable WindowCount count, RemovalCause cause) {
        if (bucket == null || count == null) {
            return;
        }
        long sealed = count.seal();
        if (sealed == 0 || clock.getAsLong() >= count.windowEndMillis()) {
            return; // nothing admitted, or the window is over: nothing to remember
        }
        if (cause == RemovalCause.SIZE) {
            evictions.increment();
        }
        evicted.computeIfAbsent(bucket.className(), name -> new EvictedCounts())
                .record(bucket.keyId(), bucket.windowStart(), sealed);
    }

    PendingSync pending() {
        return pending;
    }

    long countsInMemory() {
        counts.cleanUp();
        return counts.estimatedSize();
    }

    /** A count expires when its window ends (plus a little slack), measured on the epoch clock. */
    private record UntilWindowEnds(LongSupplier clock) implements Expiry<Bucket, WindowCount> {

        @Override
        public long expireAfterCreate(Bucket bucket, WindowCount count, long currentTime) {
            long millisLeft = Math.max(0, count.windowEndMillis() - clock.getAsLong());
            return Duration.ofMillis(millisLeft).toNanos() + EXPIRY_SLACK_NANOS;
        }

        @Override
        public long expireAfterUpdate(Bucket bucket, WindowCount count, long currentTime, long currentDuration) {
            return currentDuration;
        }

        @Override
        public long expireAfterRead(Bucket bucket, WindowCount count, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
