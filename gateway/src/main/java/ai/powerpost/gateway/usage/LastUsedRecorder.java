package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.redis.PeriodicFlush;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Records when each key was last used, and with which scope, off the request path.
 *
 * <p>A request only updates an in-memory entry for its key (a few atomic maxima): the response
 * never waits for Redis. Every flush interval the pending entries are swapped out and written,
 * one script call per key whatever the number of requests, and the script keeps the newest time
 * (several replicas write the same key; time never moves backwards) and never re-creates a revoked
 * key's record. The pending set is bounded ({@code max-pending}); uses past the bound are dropped
 * and counted. Fails open: a flush that Redis refuses is merged back and retried on the next
 * interval, without ever delaying a request. Stopping (SIGTERM, after the web server has drained)
 * flushes what is pending.
 */
public final class LastUsedRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LastUsedRecorder.class);
    private static final Scope[] SCOPES = Scope.values();
    private static final int FLUSH_CONCURRENCY = 16;
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Sets each field to the given time if it is newer; does nothing when the key record is gone.
     * Answers {@code -} when it is gone, else the key's roll successor ({@code rolled_to}, empty
     * when none), which usage per key needs and so reads at no further command.
     */
    static final RedisScript<String> TOUCH = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return '-' end
            for i = 1, #ARGV, 2 do
              local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0') or 0
              if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
            end
            return redis.call('HGET', KEYS[1], 'rolled_to') or ''
            """, String.class);

    private final ReactiveStringRedisTemplate redis;
    private final UsageProperties properties;
    private final Counter dropped;
    private final Counter flushFailures;
    private final Counter flushWrites;
    private volatile ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    /** Key hash → its roll successor's id, as the last flush of the key found it (bounded by max-pending). */
    private final ConcurrentHashMap<String, String> successors = new ConcurrentHashMap<>();

    private final PeriodicFlush schedule;

    public LastUsedRecorder(ReactiveStringRedisTemplate redis, UsageProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.properties = properties;
        this.schedule = new PeriodicFlush("last-used flush", properties.flushInterval(), FLUSH_TIMEOUT, this::flush);
        this.dropped = Counter.builder("gateway.usage.dropped")
                .description("Key uses not recorded because the pending set was full")
                .register(meters);
        this.flushFailures = Counter.builder("gateway.usage.flush.failures")
                .description("Last-used writes that failed and were kept for the next flush")
                .register(meters);
        this.flushWrites = Counter.builder("gateway.usage.flush.writes")
                .description("Last-used writes to Redis (one per key per flush)")
                .register(meters);
        io.micrometer.core.instrument.Gauge.builder("gateway.usage.pending", this, recorder -> recorder.pending.size())
                .description("Keys whose last-used time waits for the next flush")
                .register(meters);
    }

    /** Notes one authorised use of the key with {@code scope} at {@code epochMillis}. Never blocks. */
    public void record(String keyHash, Scope scope, long epochMillis) {
        ConcurrentHashMap<String, Pending> current = pending;
        Pending entry = current.get(keyHash);
        if (entry == null) {
            if (current.size() >= properties.maxPending()) {
                dropped.increment();
                return;
            }
            entry = current.computeIfAbsent(keyHash, hash -> new Pending());
        }
        entry.touch(scope, epochMillis);
    }

    /** Writes everything pending now; what fails is merged back for the next flush. */
    public Mono<Void> flush() {
        ConcurrentHashMap<String, Pending> batch = pending;
        if (batch.isEmpty()) {
            return Mono.empty();
        }
        pending = new ConcurrentHashMap<>();
        return Flux.fromIterable(batch.entrySet())
                .flatMap(
                        entry -> write(entry.getKey(), entry.getValue()).onErrorResume(e -> {
                            flushFailures.increment();
                            requeue(entry.getKey(), entry.getValue());
                            return Mono.empty();
                        }),
                        FLUSH_CONCURRENCY)
                .then();
    }

    private Mono<Void> write(String keyHash, Pending entry) {
        return RedisScripts.eval(redis, TOUCH, List.of(RedisSchema.keyRecord(keyHash)), entry.arguments())
                .timeout(FLUSH_TIMEOUT)
                .doOnNext(successor -> {
                    if (successor.isEmpty() || successor.equals("-")) {
                        successors.remove(keyHash);
                    } else {
                        if (successors.size() >= properties.maxPending()) {
                            successors.clear();
                        }
                        successors.put(keyHash, successor);
                    }
                })
                .then()
                .doOnSuccess(done -> flushWrites.increment());
    }

    private void requeue(String keyHash, Pending failed) {
        pending.computeIfAbsent(keyHash, hash -> new Pending()).merge(failed);
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop(Runnable callback) {
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

    /** The id of the key that succeeded this one in a roll, as its last flush found it; null for none (or not yet flushed). */
    @Nullable
    String successorOf(String keyHash) {
        return successors.get(keyHash);
    }

    int pendingKeys() {
        return pending.size();
    }

    /** The newest use of one key, overall and per scope, since the last flush. */
    static final class Pending {
        private final AtomicLong lastUsed = new AtomicLong();
        private final AtomicLongArray scopeUsed = new AtomicLongArray(SCOPES.length);

        void touch(Scope scope, long epochMillis) {
            lastUsed.accumulateAndGet(epochMillis, Math::max);
            scopeUsed.accumulateAndGet(scope.ordinal(), epochMillis, Math::max);
        }

        void merge(Pending other) {
            lastUsed.accumulateAndGet(other.lastUsed.get(), Math::max);
            for (int i = 0; i < SCOPES.length; i++) {
                scopeUsed.accumulateAndGet(i, other.scopeUsed.get(i), Math::max);
            }
        }

        /** Script arguments: field, time pairs, named and written as the key record's codec does. */
        List<String> arguments() {
            List<String> args = new ArrayList<>(4);
            args.add(RedisSchema.LAST_USED_AT);
            args.add(KeyRecords.timestamp(lastUsed.get()));
            for (int i = 0; i < SCOPES.length; i++) {
                long used = scopeUsed.get(i);
                if (used > 0) {
                    args.add(KeyRecords.scopeUsedField(SCOPES[i]));
                    args.add(KeyRecords.timestamp(used));
                }
            }
            return args;
        }
    }
}
