package ai.powerpost.gateway.ratelimit;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one replica knows of one key's use of one class in one window: how many requests it
 * admitted itself, and how many the other replicas had admitted when it last synced. Lock-free:
 * admitting is one compare-and-set that keeps {@code own + others <= limit}, so this replica alone
 * can never admit more than the limit, whatever it believes about the others.
 *
 * <p>When the local cache evicts the count while its window is still running, the count is
 * <em>sealed</em>: no admission can slip in after the eviction read it, and a request that finds
 * a sealed count looks it up again (its successor starts from at least the sealed value).
 */
final class WindowCount {

    /** {@link #tryAcquire} result: over the limit. */
    static final long REJECTED = -1;
    /** {@link #tryAcquire} result: this count was evicted meanwhile; look it up again. */
    static final long SEALED = -2;

    private static final long SEALED_BIT = 1L << 62;

    private final String keyId;
    private final String className;
    private final int shard;
    private final Window window;
    private final AtomicLong own;
    private final AtomicLong others = new AtomicLong();
    private final AtomicBoolean dirty = new AtomicBoolean();

    WindowCount(String keyId, String className, int shard, Window window, long initialOwn) {
        this.keyId = keyId;
        this.className = className;
        this.shard = shard;
        this.window = window;
        this.own = new AtomicLong(initialOwn);
    }

    /**
     * Admits one request if this replica's count plus the others' known count is below
     * {@code limit}; returns the requests remaining after it, {@link #REJECTED} or {@link #SEALED}.
     */
    long tryAcquire(long limit) {
        while (true) {
            long current = own.get();
            if ((current & SEALED_BIT) != 0) {
                return SEALED;
            }
            long used = current + others.get();
            if (used >= limit) {
                return REJECTED;
            }
            if (own.compareAndSet(current, current + 1)) {
                return limit - used - 1;
            }
        }
    }

    /** Marks this count as holding admissions Redis has not seen; true if it was clean (queue it then). */
    boolean markDirty() {
        return dirty.compareAndSet(false, true);
    }

    /**
     * For a sync: clears the dirty mark, then reads this replica's count, so an admission that
     * comes after the read marks it dirty again and is pushed next time.
     */
    long takeForSync() {
        dirty.set(false);
        return own();
    }

    /** What the sync learnt: the other replicas' total. Counts only grow within a window. */
    void observeOthers(long othersTotal) {
        others.accumulateAndGet(othersTotal, Math::max);
    }

    /** Stops all further admissions on this count and returns its final value. */
    long seal() {
        return own.getAndUpdate(current -> current | SEALED_BIT) & ~SEALED_BIT;
    }

    long own() {
        return own.get() & ~SEALED_BIT;
    }

    long others() {
        return others.get();
    }

    /** Its shared counter in Redis; computed when a sync needs it, not kept in memory. */
    String redisKey() {
        return RateLimitKeys.counter(shard, className, window.startMillis(), keyId);
    }

    int shard() {
        return shard;
    }

    Window window() {
        return window;
    }
}
