package ai.powerpost.gateway.auth;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The local key cache ({@code gateway.keys.*}).
 *
 * @param maxSize         entries at most per cache (keys; accounts' workspaces), whatever a flood of random keys does
 * @param maxAge          re-read age: an entry older than this is re-read from Redis in the background on its next
 *                        use, even if no invalidation arrived, and answered from the cache meanwhile (refresh ahead)
 * @param negativeMaxAge  how long an unknown key stays known as unknown (a creation replaces it at once anyway);
 *                        never re-read ahead
 * @param lookupTimeout   how long a Redis look-up may take before the request fails closed (503); a background
 *                        re-read slower than this leaves the entry as it was
 * @param outageGrace     an entry's life from Redis's last answer for it: while re-reads fail (Redis cannot be
 *                        reached) a key validated within this long keeps working (any other key gets 503, never
 *                        401), and a key unused this long leaves the cache
 */
@Validated
@ConfigurationProperties("gateway.keys")
public record KeyCacheProperties(
        @DefaultValue("100000") @Min(1) long maxSize,
        @DefaultValue("60s") @NotNull @PositiveDuration Duration maxAge,
        @DefaultValue("30s") @NotNull @PositiveDuration Duration negativeMaxAge,
        @DefaultValue("2s") @NotNull @PositiveDuration Duration lookupTimeout,
        @DefaultValue("5m") @NotNull @PositiveDuration Duration outageGrace) {}
