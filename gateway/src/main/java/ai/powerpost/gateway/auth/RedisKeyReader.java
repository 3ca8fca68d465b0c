package ai.powerpost.gateway.auth;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import ai.powerpost.gateway.redis.RedisSchema;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;

/** Reads key records and workspace sets from Redis: one {@code HGETALL} or {@code SMEMBERS} each. */
final class RedisKeyReader implements KeyReader {

    private final ReactiveStringRedisTemplate redis;
    private final Duration timeout;

    /**
     * @param timeout how long a read may take before it fails (and the request fails closed with a
     *                503): a Redis that hangs must not hang requests
     */
    RedisKeyReader(ReactiveStringRedisTemplate redis, Duration timeout) {
        this.redis = redis;
        this.timeout = timeout;
    }

    @Override
    public Mono<Optional<KeyRecord>> readKey(String keyHash) {
        return redis.<String, String>opsForHash().entries(RedisSchema.keyRecord(keyHash))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(fields -> KeyRecords.parse(keyHash, fields))
                .timeout(timeout);
    }

    @Override
    public Mono<Set<String>> readWorkspaces(String accountId) {
        return redis.opsForSet().members(RedisSchema.accountWorkspaces(accountId))
                .collect(Collectors.toUnmodifiableSet())
                .timeout(timeout);
    }
}
