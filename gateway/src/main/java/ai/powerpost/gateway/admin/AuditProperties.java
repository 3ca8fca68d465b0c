package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The audit trail of the management API ({@code gateway.audit.*}).
 *
 * @param retention how long entries are kept in Redis ({@code GATEWAY_AUDIT_RETENTION}): older ones
 *                  are trimmed as new ones are appended (400 days: a year's audit period and a
 *                  month to spare); the {@code audit} log lines are kept as long as the log shipper keeps them
 */
@Validated
@ConfigurationProperties("gateway.audit")
public record AuditProperties(
        @DefaultValue("400d") @NotNull @PositiveDuration Duration retention) {}
