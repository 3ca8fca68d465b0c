package ai.powerpost.gateway.auth;

import ai.powerpost.gateway.redis.RedisSchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;

/** Reads key records and workspace sets from Redis: one {@code HGETALL} or {@code SMEMBERS} each. */
final class RedisKeyReader implements KeyReader {

    private final ReactiveStringRedisTemplate redis;
    private final Duration timeout;
    private final Counter keyErrors;
    private final Counter workspaceErrors;

    /**
     * @param timeout how long a read may take before it fails (and the request fails closed with a
     *                503): a Redis that hangs must not hang requests
     */
    RedisKeyReader(ReactiveStringRedisTemplate redis, Duration timeout, MeterRegistry meters) {
        this.redis = redis;
        this.timeout = timeout;
        this.keyErrors = errors(meters, "key_lookup");
        this.workspaceErrors = errors(meters, "workspace_lookup");
    }

    /** {@code gateway.redis.errors{operation}}: look-ups Redis failed or did not answer in time. */
    private static Counter errors(MeterRegistry meters, String operation) {
        return Counter.builder("gateway.redis.errors")
                .description("Redis look-ups that failed or timed out")
                .tag("operation", operation)
                .register(meters);
    }

    @Override
    public Mono<Optional<KeyRecord>> readKey(String keyHash) {
        return redis.<String, String>opsForHash()
                .entries(RedisSchema.keyRecord(keyHash))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(fields -> KeyRecords.parse(keyHash, fields))
                .timeout(timeout)
                .doOnError(e -> keyErrors.increment());
    }

    @Override
    public Mono<Set<String>> readWorkspaces(String accountId) {
        return redis.opsForSet()
                .members(RedisSchema.accountWorkspaces(accountId))
                .collect(Collectors.toUnmodifiableSet())
                .timeout(timeout)
                .doOnError(e -> workspaceErrors.increment());
    }
}
