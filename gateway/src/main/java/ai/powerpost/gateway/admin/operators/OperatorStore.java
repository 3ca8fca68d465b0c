package ai.powerpost.gateway.admin.operators;

import static ai.powerpost.gateway.admin.RedisRetry.retried;

import ai.powerpost.gateway.admin.Actor;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.OperatorCredentials;
import ai.powerpost.gateway.admin.OperatorTokens;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The named operators in Redis (docs/redis-schema.md): a record per operator under the SHA-256 of
 * its token, and the index {@link RedisSchema#OPERATORS} from id to token hash. The only reader and
 * writer of them; every write takes a {@link Changes.Permit}.
 *
 * <p>Never cached: every management call reads its operator's record, so a revocation or an expiry
 * holds on every replica from the moment the record is gone (the management API makes no change
 * without Redis anyway: a cache would buy nothing but staleness).
 *
 * <p>Last use is recorded off the call: each authentication notes the time here, and
 * {@link #flushLastUse} (every {@code gateway.admin.last-used-flush-interval}) writes the newest per
 * operator, never resurrecting a revoked record. At most {@value #MAX_PENDING} operators wait; past
 * that a use is dropped (and counted in the log at the next flush).
 */
public final class OperatorStore implements OperatorCredentials {

    private static final Logger log = LoggerFactory.getLogger(OperatorStore.class);
    static final int MAX_PENDING = 10_000;

    /** Writes last_used_at when the record exists and holds an older time (or none). */
    static final RedisScript<Long> LAST_USED = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
            if current and current >= tonumber(ARGV[2]) then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final SecureRandom random;
    private final ConcurrentHashMap<String, Long> lastUsed = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean failing = new AtomicBoolean();

    OperatorStore(ReactiveStringRedisTemplate redis, SecureRandom random) {
        this.redis = redis;
        this.random = random;
    }

    @Override
    public Mono<Actor> authenticate(String token) {
        String hash = OperatorTokens.hash(token);
        return redis.<String, String>opsForHash()
                .entries(RedisSchema.operatorRecord(hash))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap(fields -> Mono.justOrEmpty(OperatorRecords.decode(fields)))
                .filter(operator -> !operator.expiredAt(Instant.now()))
                .doOnNext(operator -> used(hash))
                .map(Operator::actor);
    }

    @Override
    public Mono<Actor> current(String operatorId) {
        return redis.<String, String>opsForHash()
                .get(RedisSchema.OPERATORS, operatorId)
                .flatMap(hash -> redis.<String, String>opsForHash()
                        .entries(RedisSchema.operatorRecord(hash))
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue))
                .flatMap(fields -> Mono.justOrEmpty(OperatorRecords.decode(fields)))
                .filter(operator -> operator.id().equals(operatorId) && !operator.expiredAt(Instant.now()))
                .map(Operator::actor);
    }

    private void used(String hash) {
        long now = System.currentTimeMillis();
        if (lastUsed.size() >= MAX_PENDING && !lastUsed.containsKey(hash)) {
            dropped.incrementAndGet();
            return;
        }
        lastUsed.merge(hash, now, Math::max);
    }

    /** A new operator and its token, shown once. */
    record Created(Operator operator, String token) {}

    /** A fresh operator id, drawn before the change so that its audit entry names it. */
    String newId() {
        return "op_" + ApiKeys.randomBase62(random, 20);
    }

    /** Creates the operator {@code id} with a fresh token: its record, then its place in the index. */
    Mono<Created> create(
            Changes.Permit permit, String id, String name, Role role, @Nullable Instant expiresAt, String createdBy) {
        Objects.requireNonNull(permit);
        String token = OperatorTokens.generate(random);
        String hash = OperatorTokens.hash(token);
        Operator operator = new Operator(
                id, name, role, Instant.ofEpochMilli(System.currentTimeMillis()), expiresAt, createdBy, null);
        return retried(redis.<String, String>opsForHash()
                        .putAll(RedisSchema.operatorRecord(hash), OperatorRecords.encode(operator)))
                .then(retried(redis.<String, String>opsForHash().put(RedisSchema.OPERATORS, id, hash)))
                .thenReturn(new Created(operator, token));
    }

    /**
     * Revokes the operator: its record goes first (its token is refused from that moment, on every
     * replica), then its place in the index. False when there is no such operator.
     */
    Mono<Boolean> revoke(Changes.Permit permit, String id) {
        Objects.requireNonNull(permit);
        return retried(redis.<String, String>opsForHash().get(RedisSchema.OPERATORS, id))
                .flatMap(hash -> retried(redis.delete(RedisSchema.operatorRecord(hash)))
                        .then(retried(redis.<String, String>opsForHash().remove(RedisSchema.OPERATORS, id)))
                        .thenReturn(true))
                .defaultIfEmpty(false);
    }

    /** Every operator, oldest first; never a token or a hash. */
    Flux<Operator> list() {
        return redis.<String, String>opsForHash()
                .entries(RedisSchema.OPERATORS)
                .concatMap(entry -> redis.<String, String>opsForHash()
                        .entries(RedisSchema.operatorRecord(entry.getValue()))
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                        .flatMap(fields -> Mono.justOrEmpty(OperatorRecords.decode(fields))))
                .sort(Comparator.comparing(Operator::createdAt));
    }

    /** Writes the pending last uses; fail-open (a failed batch is dropped: the next use is noted again). */
    Mono<Void> flushLastUse() {
        List<Map.Entry<String, Long>> batch = new ArrayList<>();
        for (String hash : List.copyOf(lastUsed.keySet())) {
            Long at = lastUsed.remove(hash);
            if (at != null) {
                batch.add(Map.entry(hash, at));
            }
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            log.warn("operators' last use: {} uses dropped (too many operators pending)", lost);
        }
        return Flux.fromIterable(batch)
                .concatMap(use -> RedisScripts.eval(
                        redis,
                        LAST_USED,
                        List.of(RedisSchema.operatorRecord(use.getKey())),
                        List.of(RedisSchema.LAST_USED_AT, Long.toString(use.getValue()))))
                .then()
                .doOnSuccess(done -> {
                    if (!batch.isEmpty() && failing.getAndSet(false)) {
                        log.info("operators' last use written again");
                    }
                })
                .onErrorResume(e -> {
                    if (!failing.getAndSet(true)) {
                        log.warn(
                                "operators' last use could not be written ({}); dropped",
                                e.getClass().getSimpleName());
                    }
                    return Mono.empty();
                });
    }
}
