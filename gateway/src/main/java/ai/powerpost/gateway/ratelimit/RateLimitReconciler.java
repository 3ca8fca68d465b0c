package ai.powerpost.gateway.ratelimit;

import ai.powerpost.gateway.redis.PeriodicFlush;
import ai.powerpost.gateway.redis.RedisScripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Shares the replicas' counts through Redis, off the request path. Every sync interval it takes
 * the counts that admitted something since the last sync and, per shard, runs <em>one</em> script
 * that stores this replica's count in each counter (one hash field per replica, only ever raised)
 * and returns the other replicas' total, which the local counts then subtract from what they admit.
 * All counters of a shard share a hash tag, so each script touches one Redis Cluster slot.
 *
 * <p>Fails open, and only towards the local view: when Redis cannot be reached every replica keeps
 * limiting on its own counts and on what it last learnt of the others (still a valid lower bound:
 * counts only grow within a window); the counts are pushed again on the next interval. Failed
 * script calls (refused, or unanswered within the Redis client's command timeout) are counted
 * ({@code gateway.ratelimit.sync.failures}) and logged once per outage.
 * Pushing absolute counts makes a retried push idempotent. Stopping (after the web server has
 * drained) pushes what is pending, so the other replicas see this one's last admissions.
 */
final class RateLimitReconciler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RateLimitReconciler.class);
    private static final Duration FINAL_SYNC_TIMEOUT = Duration.ofSeconds(5);

    /**
     * KEYS: the counters of one shard. ARGV[1]: this replica's id; then, per counter, this
     * replica's count and the counter's expiry (epoch ms). Returns the other replicas' totals,
     * comma-separated, in the order of KEYS.
     */
    static final RedisScript<String> SYNC = RedisScripts.COUNTS;

    private final ReactiveStringRedisTemplate redis;
    private final PendingSync pending;
    private final RateLimitProperties properties;
    private final LongSupplier clock;
    private final String replicaId;
    private final Counter failures;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final PeriodicFlush schedule;
    private volatile long lastQuietSync;
    private volatile boolean stopping;

    RateLimitReconciler(
            ReactiveStringRedisTemplate redis,
            PendingSync pending,
            RateLimitProperties properties,
            LongSupplier clock,
            MeterRegistry meters) {
        this.redis = redis;
        this.pending = pending;
        this.properties = properties;
        this.clock = clock;
        this.lastQuietSync = clock.getAsLong();
        this.schedule = new PeriodicFlush("rate-limit sync", properties.syncInterval(), FINAL_SYNC_TIMEOUT, this::sync);
        this.replicaId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        this.failures = Counter.builder(RateLimitMeters.SYNC_FAILURES)
                .description("Rate-limit sync script calls that failed; their counts are pushed again next interval")
                .register(meters);
    }

    /**
     * Pushes every pending count (the quiet ones too, every quiet sync interval, and when stopping)
     * and learns the others' totals; never fails (failures are requeued and counted).
     */
    Mono<Void> sync() {
        long now = clock.getAsLong();
        boolean quietToo = stopping
                || now - lastQuietSync >= properties.quietSyncInterval().toMillis();
        if (quietToo) {
            lastQuietSync = now;
        }
        Round round = new Round();
        return Flux.range(0, pending.shards())
                .flatMap(
                        shard -> Flux.fromIterable(batches(drained(shard, quietToo), now))
                                .concatMap(batch -> push(batch, round)),
                        pending.shards())
                .then(Mono.fromRunnable(() -> settle(round)));
    }

    private List<WindowCount> drained(int shard, boolean quietToo) {
        List<WindowCount> counts = pending.drain(shard);
        if (quietToo) {
            List<WindowCount> quiet = pending.drainQuiet(shard);
            if (counts.isEmpty()) {
                return quiet;
            }
            // a quiet count that turned urgent is in both queues: pushed once
            Set<WindowCount> urgent = Collections.newSetFromMap(new IdentityHashMap<>());
            urgent.addAll(counts);
            for (WindowCount count : quiet) {
                if (!urgent.contains(count)) {
                    counts.add(count);
                }
            }
        }
        return counts;
    }

    /** What one sync's script calls did: an outage starts with a round that failed and ends with one that did not. */
    private static final class Round {
        private final AtomicInteger succeeded = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private volatile @Nullable Throwable firstError;
    }

    /** The counts of one shard whose window still runs, in script calls of at most {@code max-batch}. */
    private List<List<WindowCount>> batches(List<WindowCount> counts, long now) {
        List<List<WindowCount>> batches = new ArrayList<>();
        List<WindowCount> batch = new ArrayList<>();
        for (WindowCount count : counts) {
            if (now >= count.window().endMillis()) {
                continue; // the window is over: no replica decides on it any more
            }
            if (batch.size() == properties.maxBatch()) {
                batches.add(batch);
                batch = new ArrayList<>();
            }
            batch.add(count);
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    private Mono<Void> push(List<WindowCount> batch, Round round) {
        List<String> keys = new ArrayList<>(batch.size());
        List<String> args = new ArrayList<>(1 + 2 * batch.size());
        args.add(replicaId);
        for (WindowCount count : batch) {
            keys.add(count.redisKey());
            args.add(Long.toString(count.takeForSync()));
            args.add(Long.toString(RateLimitKeys.expireAtMillis(count.window().endMillis())));
        }
        // Handed to the driver from the template's dispatch threads (redis.RedisDispatchTemplate), never
        // from an event loop. No timeout of its own: the Redis client's command timeout ends a call Redis does not
        // answer,
        // and cancelling a connection attempt would only interrupt it.
        return RedisScripts.eval(redis, SYNC, keys, args)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("empty reply from the sync script")))
                .doOnNext(reply -> {
                    learn(batch, reply);
                    round.succeeded.incrementAndGet();
                })
                .onErrorResume(e -> {
                    failed(batch, e, round);
                    return Mono.empty();
                })
                .then();
    }

    private static void learn(List<WindowCount> batch, String reply) {
        String[] totals = reply.split(",", -1);
        if (totals.length != batch.size()) {
            throw new IllegalStateException("sync script answered " + totals.length + " totals for " + batch.size());
        }
        for (int i = 0; i < totals.length; i++) {
            batch.get(i).observeOthers(Long.parseLong(totals[i]));
        }
    }

    private void failed(List<WindowCount> batch, Throwable error, Round round) {
        failures.increment();
        if (round.failed.getAndIncrement() == 0) {
            round.firstError = error;
        }
        long now = clock.getAsLong();
        for (WindowCount count : batch) {
            if (now < count.window().endMillis() && count.markDirty()) {
                pending.offer(count);
            }
        }
    }

    /** Logs once when syncs start failing and once when they work again, never once per batch. */
    private void settle(Round round) {
        Throwable error = round.firstError;
        if (round.failed.get() > 0) {
            if (failing.compareAndSet(false, true)) {
                log.warn(
                        "rate-limit sync with Redis failed ({}); each replica limits on its own counts until it recovers",
                        error == null ? "unknown" : error.getClass().getSimpleName());
            }
        } else if (round.succeeded.get() > 0 && failing.compareAndSet(true, false)) {
            log.info("rate-limit sync with Redis recovered");
        }
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop(Runnable callback) {
        stopping = true; // the last sync pushes the quiet counts too
        schedule.stop(callback);
    }

    @Override
    public void stop() {
        stop(() -> {});
    }

    @Override
    public boolean isRunning() {
        return schedule.isRunning();
    }

    /** Stops after the web server has drained its requests, and before the Redis client closes. */
    @Override
    public int getPhase() {
        return PeriodicFlush.PHASE;
    }

    String replicaId() {
        return replicaId;
    }

    boolean failing() {
        return failing.get();
    }
}
