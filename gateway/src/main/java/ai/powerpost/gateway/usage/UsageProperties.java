package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Last-used recording ({@code gateway.usage.*}).
 *
 * @param flushInterval how often pending last-used times are written to Redis (one write per key per interval)
 * @param maxPending    keys pending at most between two flushes; uses of further keys are dropped and counted
 */
@Validated
@ConfigurationProperties("gateway.usage")
public record UsageProperties(
        @DefaultValue("5s") @NotNull @PositiveDuration Duration flushInterval,
        @DefaultValue("100000") @Min(1) int maxPending) {}
