package ai.powerpost.gateway.auth;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Authentication hardening ({@code gateway.auth.*}).
 *
 * @param maxFailures       failed key attempts (malformed, unknown, revoked) one client address may make per window
 *                          before it is throttled with 429
 * @param failureWindow     the window; a throttled address is free again at its end, so a shared NAT is never
 *                          locked out for longer
 * @param failureMinLatency every {@code INVALID_API_KEY} answer takes at least this long, so malformed keys
 *                          (no look-up), unknown keys (a Redis look-up) and revoked keys cannot be told apart by time
 * @param failureSyncInterval how often each replica shares its failure counts through Redis (and learns the
 *                          others'): the replicas together allow {@code maxFailures} plus what each takes within
 *                          one interval (docs/security.md)
 */
@Validated
@ConfigurationProperties("gateway.auth")
public record AuthProperties(
        @DefaultValue("50") @Min(1) int maxFailures,
        @DefaultValue("60s") @NotNull @PositiveDuration Duration failureWindow,
        @DefaultValue("25ms") @NotNull @PositiveDuration Duration failureMinLatency,
        @DefaultValue("1s") @NotNull @PositiveDuration Duration failureSyncInterval) {}
