package ai.powerpost.gateway.ratelimit;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-key rate limiting ({@code gateway.rate-limit.*}). The limits themselves are the
 * {@code rate-limits} classes of routes.yml; these settings only say how replicas share them.
 *
 * @param syncInterval how often a replica pushes its counts to Redis and reads the other replicas' (Δ of the
 *                     overshoot bound: a shorter interval means less overshoot and more Redis calls). A sync
 *                     call fails after the Redis client's own command timeout ({@code spring.data.redis.timeout})
 * @param shards       hash-tagged Redis shards the counters are spread over; one script per shard per interval.
 *                     Must be the same on every replica (a key's counter name depends on it)
 * @param maxBatch     counters at most per script call; a shard with more pending counters sends several calls
 * @param maxKeys      (key, class) counters kept in memory at most; beyond it the least valuable are evicted, and
 *                     what they had admitted is kept in a fixed-size sketch so no key ever gets more than its limit
 * @param quietSyncInterval how often counts far from their limit (under a tenth of it, as this replica knows) are
 *                     pushed: a key that calls now and then costs Redis one push per this interval at most, not one
 *                     per request; from a tenth of its limit on, its count is pushed every {@code syncInterval}
 */
@Validated
@ConfigurationProperties("gateway.rate-limit")
public record RateLimitProperties(
        @DefaultValue("100ms") @NotNull @PositiveDuration Duration syncInterval,
        @DefaultValue("16") @Min(1) @Max(16384) int shards,
        @DefaultValue("500") @Min(1) @Max(10000) int maxBatch,
        @DefaultValue("100000") @Min(1) long maxKeys,
        @DefaultValue("30s") @NotNull @PositiveDuration Duration quietSyncInterval) {

    @ConstructorBinding
    public RateLimitProperties {}

    /** With the quiet sync interval's default. */
    public RateLimitProperties(Duration syncInterval, int shards, int maxBatch, long maxKeys) {
        this(syncInterval, shards, maxBatch, maxKeys, Duration.ofSeconds(30));
    }
}
