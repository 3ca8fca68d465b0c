package ai.powerpost.gateway.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one replica knows of one key's use of one class in one window: how many requests it
 * admitted itself, and how many the other replicas had admitted when it last synced. Lock-free:
 * admitting is one compare-and-set that keeps {@code own + others <= limit}, so this replica alone
 * can never admit more than the limit, whatever it believes about the others.
 *
 * <p>When the local cache evicts the count while its window is still running, the count is
 * <em>sealed</em>: no admission can slip in after the eviction read it, and a request that finds
 * a sealed count looks it up again (its successor starts from at least the sealed value).
 *
 * <p>Compact, one object per count (docs/key-cache.md, "Memory per key"): the counters are plain
 * fields updated through {@link VarHandle}s rather than atomic objects of their own, and the
 * window is kept as its two bounds.
 */
final class WindowCount {

    /** {@link #tryAcquire} result: over the limit. */
    static final long REJECTED = -1;
    /** {@link #tryAcquire} result: this count was evicted meanwhile; look it up again. */
    static final long SEALED = -2;

    private static final long SEALED_BIT = 1L << 62;

    private static final VarHandle OWN;
    private static final VarHandle OTHERS;
    private static final VarHandle QUEUED;

    /** {@link #queued}: holds no admission Redis has not seen, or is queued for the quiet or the next sync. */
    private static final int CLEAN = 0;

    private static final int QUIET = 1;
    private static final int URGENT = 2;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OWN = lookup.findVarHandle(WindowCount.class, "own", long.class);
            OTHERS = lookup.findVarHandle(WindowCount.class, "others", long.class);
            QUEUED = lookup.findVarHandle(WindowCount.class, "queued", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String keyId;
    private final String className;
    private final int shard;
    private final long windowStart;
    private final long windowEnd;
    private volatile long own;
    private volatile long others;
    private volatile int queued;

    WindowCount(String keyId, String className, int shard, Window window, long initialOwn) {
        this.keyId = keyId;
        this.className = className;
        this.shard = shard;
        this.windowStart = window.startMillis();
        this.windowEnd = window.endMillis();
        this.own = initialOwn;
    }

    /**
     * Admits one request if this replica's count plus the others' known count is below
     * {@code limit}; returns the requests remaining after it, {@link #REJECTED} or {@link #SEALED}.
     */
    long tryAcquire(long limit) {
        while (true) {
            long current = own;
            if ((current & SEALED_BIT) != 0) {
                return SEALED;
            }
            long used = current + others;
            if (used >= limit) {
                return REJECTED;
            }
            if (OWN.compareAndSet(this, current, current + 1)) {
                return limit - used - 1;
            }
        }
    }

    /**
     * Marks this count as holding admissions Redis must see by the next sync; true if it was not
     * queued for that yet (queue it then: it may also be in the quiet queue, and is then pushed once
     * more, harmlessly, since pushes are absolute counts).
     */
    boolean markDirty() {
        while (true) {
            int state = queued;
            if (state == URGENT) {
                return false;
            }
            if (QUEUED.compareAndSet(this, state, URGENT)) {
                return true;
            }
        }
    }

    /** Marks this count as holding admissions Redis may see at the quiet sync; true if it was clean (queue it then). */
    boolean markQuiet() {
        return queued == CLEAN && QUEUED.compareAndSet(this, CLEAN, QUIET);
    }

    /** Whether admissions Redis has not seen wait in a queue: false once a sync took them. */
    boolean queued() {
        return queued != CLEAN;
    }

    /**
     * For a sync: clears the queued mark, then reads this replica's count, so an admission that
     * comes after the read queues it again and is pushed next time.
     */
    long takeForSync() {
        queued = CLEAN;
        return own();
    }

    /** What the sync learnt: the other replicas' total. Counts only grow within a window. */
    void observeOthers(long othersTotal) {
        long known = others;
        while (othersTotal > known && !OTHERS.compareAndSet(this, known, othersTotal)) {
            known = others;
        }
    }

    /** Stops all further admissions on this count and returns its final value. */
    long seal() {
        return (long) OWN.getAndBitwiseOr(this, SEALED_BIT) & ~SEALED_BIT;
    }

    long own() {
        return own & ~SEALED_BIT;
    }

    long others() {
        return others;
    }

    /** Its shared counter in Redis; computed when a sync needs it, not kept in memory. */
    String redisKey() {
        return RateLimitKeys.counter(shard, className, windowStart, keyId);
    }

    int shard() {
        return shard;
    }

    /** Its window (a new value each call: the sync and expiry paths ask, never a request). */
    Window window() {
        return new Window(windowStart, windowEnd);
    }

    /** The first millisecond after its window. */
    long windowEndMillis() {
        return windowEnd;
    }
}
