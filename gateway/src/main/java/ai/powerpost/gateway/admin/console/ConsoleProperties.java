package ai.powerpost.gateway.admin.console;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The operator console ({@code gateway.console.*}); it is on whenever the management API is.
 *
 * @param sessionIdleTimeout a session unused this long is signed out
 * @param maxSessions        sessions held at once on this replica; past that the least recently used is dropped
 */
@Validated
@ConfigurationProperties("gateway.console")
public record ConsoleProperties(
        @DefaultValue("30m") @NotNull @PositiveDuration Duration sessionIdleTimeout,
        @DefaultValue("1000") @Min(1) int maxSessions) {}
