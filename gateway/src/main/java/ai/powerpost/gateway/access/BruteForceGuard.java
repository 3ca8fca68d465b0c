package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.AuthProperties;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts failed key attempts per client address in fixed windows (aligned to the epoch, the same
 * on every replica), shared by the replicas through Redis as the rate limits are: the request path
 * only reads and counts in memory (no Redis), and every {@code gateway.auth.failure-sync-interval}
 * each replica pushes the counts of the addresses that failed since the last push and learns the
 * others' ({@link RedisScripts#COUNTS}, one call per shard). An address is throttled until its
 * window ends once its failures on this replica plus the others' last known reach
 * {@code maxFailures}.
 *
 * <p>The bound (docs/security.md): across N replicas an address gets at most
 * {@code maxFailures + N * (F(S) + syncFrom - 1)} failures per window, F(S) being the most failures
 * one replica takes from it within one sync interval plus one sync's duration (what the others have
 * not heard of yet), and {@code syncFrom - 1} what a replica keeps to itself before it shares
 * (a tenth of the limit); never more than {@code N * maxFailures}, what each replica alone allows. While
 * Redis is unreachable each replica limits on its own counts.
 *
 * <p>Failed authentications on the management API (a wrong bootstrap token, an unknown, revoked
 * or expired operator token: {@code admin.AdminAuthentication}) are counted here too, in the same
 * budget: an address guessing at either is one address guessing.
 *
 * <p>Bounded: at most 100 000 addresses are tracked; under a distributed flood the least useful
 * are evicted first. Addresses are hashed in Redis keys, never written as they are.
 */
public final class BruteForceGuard {

    private static final Logger log = LoggerFactory.getLogger(BruteForceGuard.class);

    private static final long MAX_ADDRESSES = 100_000;
    private static final int SHARDS = 16;
    private static final int MAX_BATCH = 200;
    private static final long EXPIRY_SLACK_MILLIS = 5_000;

    private final Cache<String, Window> windows;
    private final int maxFailures;
    /**
     * An address's counts are shared only once it has failed this often here (a tenth of the
     * limit, at least 2): a distributed flood that tries each address once or twice per replica
     * (no brute force of any one address) then costs Redis nothing, instead of a few commands per
     * request; the bound grows by what each replica keeps to itself.
     */
    private final int syncFrom;

    private final long windowMillis;
    private final LongSupplier clock;
    private final ConcurrentLinkedQueue<Window> dirty = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final String replicaId =
            Long.toHexString(ThreadLocalRandom.current().nextLong());

    BruteForceGuard(AuthProperties properties, LongSupplier clock, Ticker ticker) {
        this.maxFailures = properties.maxFailures();
        this.syncFrom = Math.max(2, (maxFailures + 9) / 10);
        this.windowMillis = properties.failureWindow().toMillis();
        this.clock = clock;
        this.windows = Caffeine.newBuilder()
                .executor(Runnable::run) // maintenance on the caller: no pool thread woken per request
                .ticker(ticker)
                .maximumSize(MAX_ADDRESSES)
                .expireAfterWrite(properties.failureWindow().toNanos(), TimeUnit.NANOSECONDS)
                .build();
    }

    /** Whether the address has used up its failures for the current window, on all replicas together. */
    public boolean throttled(String address) {
        Window window = current(address, clock.getAsLong());
        return window != null && window.failures.get() + window.others >= maxFailures;
    }

    /** Seconds until the address's window ends (at least 1). */
    public long retryAfterSeconds(String address) {
        long now = clock.getAsLong();
        long remaining = windowStart(now) + windowMillis - now;
        return Math.max(1, TimeUnit.MILLISECONDS.toSeconds(remaining + 999));
    }

    public void recordFailure(String address) {
        long start = windowStart(clock.getAsLong());
        Window window = windows.asMap()
                .compute(
                        address,
                        (a, existing) -> existing != null && existing.start == start
                                ? existing
                                : new Window(start, redisKey(a, start)));
        if (window.failures.incrementAndGet() >= syncFrom && window.dirty.compareAndSet(false, true)) {
            dirty.offer(window);
        }
    }

    private Window current(String address, long now) {
        Window window = windows.getIfPresent(address);
        return window != null && window.start == windowStart(now) ? window : null;
    }

    private long windowStart(long now) {
        return now - Math.floorMod(now, windowMillis);
    }

    /**
     * Pushes this replica's counts of every address that failed since the last sync and learns the
     * other replicas' totals; fails open (what could not be pushed is pushed next time, while its
     * window lasts). One script call per shard and batch.
     */
    Mono<Void> sync(ReactiveRedisTemplate<String, String> redis) {
        List<List<Window>> shards = new ArrayList<>(SHARDS);
        for (int i = 0; i < SHARDS; i++) {
            shards.add(new ArrayList<>());
        }
        long now = clock.getAsLong();
        for (Window window; (window = dirty.poll()) != null; ) {
            window.dirty.set(false);
            if (window.start + windowMillis > now) {
                shards.get(window.shard).add(window);
            }
        }
        List<List<Window>> batches = new ArrayList<>();
        for (List<Window> shard : shards) {
            for (int from = 0; from < shard.size(); from += MAX_BATCH) {
                batches.add(shard.subList(from, Math.min(shard.size(), from + MAX_BATCH)));
            }
        }
        AtomicBoolean failed = new AtomicBoolean();
        return Flux.fromIterable(batches)
                .concatMap(batch -> push(redis, batch).onErrorResume(e -> {
                    if (!failed.getAndSet(true) && !failing.getAndSet(true)) {
                        log.warn(
                                "brute-force counter sync with Redis failed ({}); each replica counts failures on its own until it recovers",
                                e.getClass().getSimpleName());
                    }
                    return Mono.empty();
                }))
                .then(Mono.fromRunnable(() -> {
                    if (!failed.get() && !batches.isEmpty() && failing.getAndSet(false)) {
                        log.info("brute-force counter sync with Redis recovered");
                    }
                }));
    }

    private Mono<Void> push(ReactiveRedisTemplate<String, String> redis, List<Window> batch) {
        List<String> keys = new ArrayList<>(batch.size());
        List<String> args = new ArrayList<>(1 + 2 * batch.size());
        args.add(replicaId);
        for (Window window : batch) {
            keys.add(window.redisKey);
            args.add(Integer.toString(window.failures.get()));
            args.add(Long.toString(window.start + windowMillis + EXPIRY_SLACK_MILLIS));
        }
        return RedisScripts.eval(redis, RedisScripts.COUNTS, keys, args)
                .doOnNext(reply -> {
                    String[] totals = reply.split(",", -1);
                    for (int i = 0; i < totals.length && i < batch.size(); i++) {
                        batch.get(i).others = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(totals[i]));
                    }
                })
                .onErrorResume(e -> {
                    for (Window window : batch) {
                        if (window.dirty.compareAndSet(false, true)) {
                            dirty.offer(window);
                        }
                    }
                    return Mono.error(e);
                })
                .then();
    }

    /** The address's counter in Redis: by a hash of the address, in one of {@value #SHARDS} slots. */
    private static String redisKey(String address, long windowStart) {
        byte[] digest = sha256(address);
        int shard = Math.floorMod(digest[0], SHARDS);
        return RedisSchema.bruteForceCounter(shard, windowStart, HexFormat.of().formatHex(digest, 0, 16));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Window {
        final long start;
        final String redisKey;
        final int shard;
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean dirty = new AtomicBoolean();
        volatile int others;

        Window(long start, String redisKey) {
            this.start = start;
            this.redisKey = redisKey;
            this.shard = Integer.parseInt(redisKey.substring(redisKey.indexOf("{bf:") + 4, redisKey.indexOf('}')));
        }
    }
}
