package ai.powerpost.gateway.auth;

import ai.powerpost.gateway.redis.RedisSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * This replica's membership filter of the keys that carry no tag (records written before tags, by
 * PowerPost's earlier model, or by another writer such as the demo): a {@link BloomFilter} of their
 * hashes, built from the Redis set {@link RedisSchema#UNTAGGED_KEYS}, the source of truth. A key
 * whose tag does not verify is looked up only if this filter may hold it; otherwise it is refused
 * with no Redis command.
 *
 * <p>No false negative, by construction:
 * <ul>
 * <li>a writer adds the hash to the set, <em>then</em> announces it ({@code legacy <sha256>} on the
 *     invalidation channel), and every replica adds it here ({@link #add});</li>
 * <li>the filter is (re)built after every (re)subscription to that channel, after the subscription
 *     is confirmed, so anything added before the scan is in the scan, and anything added during it
 *     is announced to a subscriber already listening; an add that arrives during a rebuild goes
 *     into both the old filter and the one being built;</li>
 * <li>from the moment the subscription is lost until the rebuild after it is back, announcements
 *     may have been missed: the filter is <em>not ready</em> and says "may hold" for every key
 *     (every untagged key is looked up, as before tags existed). It is not ready either until its
 *     first build.</li>
 * </ul>
 * Removals never touch the filter (a revoked key's hash just costs a look-up until the next
 * rebuild). When adds fill it past its capacity, it is rebuilt twice as large.
 *
 * <p>Migration: data written before this set existed is found once. If the marker
 * {@link RedisSchema#UNTAGGED_KEYS_MIGRATED} is absent, the build first scans every key record and
 * adds each one without {@code key_secret} to the set, then sets the marker. Idempotent ({@code SADD});
 * several replicas doing it at once add the same hashes.
 */
public final class UntaggedKeys {

    private static final Logger log = LoggerFactory.getLogger(UntaggedKeys.class);
    private static final int SCAN_COUNT = 1000;

    private final ReactiveStringRedisTemplate redis;
    private final int minCapacity;
    private final Duration timeout;
    private final Object lock = new Object();
    private final AtomicInteger builds = new AtomicInteger();
    private final CountDownLatch firstBuild = new CountDownLatch(1);

    private volatile BloomFilter current;
    /** Not ready: every key "may be" in it (after a lost subscription, before the first build). */
    private volatile boolean ready;
    /** The filter being built, if any; adds go into it too. Guarded by {@link #lock}. */
    private @Nullable BloomFilter building;
    /** Each build and each loss of the subscription bumps it; a build completes only if still current. */
    private long generation;

    private @Nullable Disposable inFlight;

    /**
     * @param minCapacity the smallest capacity the filter is built with (then twice the set's size
     *                    if that is more)
     * @param timeout     how long one build may take before it is retried
     */
    UntaggedKeys(ReactiveStringRedisTemplate redis, int minCapacity, Duration timeout) {
        this.redis = redis;
        this.minCapacity = minCapacity;
        this.timeout = timeout;
        this.current = new BloomFilter(minCapacity);
    }

    /**
     * Whether the key whose SHA-256 is {@code keyHash} may be an untagged key, so worth a look-up.
     * False only when it certainly is not; true whenever the filter is not ready.
     */
    public boolean mightContain(String keyHash) {
        return !ready || current.mightContain(keyHash);
    }

    /** Whether the filter has been built since the subscription was last (re)established. */
    public boolean ready() {
        return ready;
    }

    /** The capacity of the filter in use. */
    int capacity() {
        return current.capacity();
    }

    /** Filters completed so far (for tests and the log). */
    int builds() {
        return builds.get();
    }

    /** An announced untagged key: into the filter now (and into the one being built). */
    void add(String keyHash) {
        if (!BloomFilter.isKeyHash(keyHash)) {
            log.warn("ignoring an untagged-key announcement that is not a key hash");
            return;
        }
        String hash = keyHash.toLowerCase(java.util.Locale.ROOT);
        boolean full;
        synchronized (lock) {
            current.add(hash);
            if (building != null) {
                building.add(hash);
            }
            full = ready && current.full() && building == null;
        }
        if (full) {
            log.info("untagged-key filter past its capacity of {}: rebuilding it larger", current.capacity());
            rebuild(false);
        }
    }

    /** The subscription is lost: announcements may be missed from now on, so trust no "no". */
    void subscriptionLost() {
        synchronized (lock) {
            generation++;
            building = null;
            ready = false;
        }
    }

    /** After every (re)subscription: rebuild from the set; until done, the filter is not ready. */
    void subscribed() {
        rebuild(true);
    }

    /** Waits (start-up only, never on an event loop) until the first build is done, at most {@code wait}. */
    boolean awaitFirstBuild(Duration wait) {
        try {
            return firstBuild.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void rebuild(boolean untilDoneNotReady) {
        long build;
        Disposable previous;
        synchronized (lock) {
            build = ++generation;
            if (untilDoneNotReady) {
                ready = false;
            }
            building = null;
            previous = inFlight;
        }
        if (previous != null) {
            previous.dispose();
        }
        Disposable started = migrateIfNeeded()
                .then(redis.opsForSet().size(RedisSchema.UNTAGGED_KEYS))
                .flatMap(size -> {
                    BloomFilter next =
                            new BloomFilter((int) Math.max(minCapacity, Math.min(Integer.MAX_VALUE / 2, size * 2)));
                    synchronized (lock) {
                        if (build != generation) {
                            return Mono.<BloomFilter>empty();
                        }
                        building = next;
                    }
                    return redis.opsForSet()
                            .scan(
                                    RedisSchema.UNTAGGED_KEYS,
                                    ScanOptions.scanOptions().count(SCAN_COUNT).build())
                            .filter(BloomFilter::isKeyHash)
                            .doOnNext(next::add)
                            .then(Mono.just(next));
                })
                .timeout(timeout)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                        .maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(signal -> log.warn(
                                "untagged-key filter build failed ({}); retrying",
                                signal.failure().getClass().getSimpleName())))
                .subscribe(next -> complete(build, next, untilDoneNotReady));
        synchronized (lock) {
            if (build == generation) {
                inFlight = started;
            }
        }
    }

    /**
     * Swaps the new filter in. Only a build started after the latest (re)subscription makes the
     * filter ready; a build for capacity leaves readiness as it was (it is started only when ready,
     * and a lost subscription since would have superseded it).
     */
    private void complete(long build, BloomFilter next, boolean makesReady) {
        synchronized (lock) {
            if (build != generation) {
                return; // superseded by a later build or a lost subscription
            }
            current = next;
            building = null;
            if (makesReady) {
                ready = true;
            }
            inFlight = null;
        }
        builds.incrementAndGet();
        firstBuild.countDown();
        log.info("untagged-key filter built: {} keys, capacity {}", next.added(), next.capacity());
    }

    /** Adds every key record without {@code key_secret} to the set, once (the marker says it was done). */
    private Mono<Void> migrateIfNeeded() {
        return redis.hasKey(RedisSchema.UNTAGGED_KEYS_MIGRATED).flatMap(done -> done ? Mono.empty() : migrate());
    }

    private Mono<Void> migrate() {
        return redis.scan(ScanOptions.scanOptions()
                        .match(RedisSchema.KEY_RECORD_PATTERN)
                        .count(SCAN_COUNT)
                        .build())
                .concatMap(name -> {
                    String hash = RedisSchema.keyHashOfRecord(name);
                    if (hash == null) {
                        return Flux.<String>empty();
                    }
                    return redis.opsForHash()
                            .hasKey(name, RedisSchema.KEY_SECRET)
                            .flatMapMany(tagged -> tagged ? Flux.empty() : Flux.just(hash));
                })
                .buffer(500)
                .concatMap((List<String> hashes) ->
                        redis.opsForSet().add(RedisSchema.UNTAGGED_KEYS, hashes.toArray(String[]::new)))
                .reduce(0L, Long::sum)
                .flatMap(added -> redis.opsForValue()
                        .set(RedisSchema.UNTAGGED_KEYS_MIGRATED, Instant.now().toString())
                        .doOnNext(set ->
                                log.info("untagged-key set migrated: {} existing records without a tag added", added)))
                .then();
    }

    void stop() {
        Disposable pending;
        synchronized (lock) {
            pending = inFlight;
            generation++;
        }
        if (pending != null) {
            pending.dispose();
        }
    }

    @Override
    public String toString() {
        return "UntaggedKeys[ready=" + ready + ", capacity=" + current.capacity() + "]";
    }
}
