package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The management API ({@code gateway.admin.*}).
 *
 * @param token                  the bootstrap token ({@code GATEWAY_ADMIN_TOKEN}): the break-glass
 *                               {@code root} credential, every use audited as {@code root}; unset or
 *                               blank (and the root token not switched off): the API is off
 * @param rootTokenEnabled       whether the bootstrap token is accepted
 *                               ({@code GATEWAY_ADMIN_ROOTTOKENENABLED}); false retires it once named
 *                               operators exist, and keeps the API on with operators alone
 * @param maxKeysPerAccount      active keys an account may hold (PowerPost: 10)
 * @param lastUsedFlushInterval  how often the operators' last use is written to Redis, off the call
 * @param maxKeyLifetime         the longest a key may live ({@code GATEWAY_ADMIN_MAXKEYLIFETIME}); a
 *                               key created without an end ends this long after its creation, one asked
 *                               to live longer is refused; unset (the default): keys may live until revoked
 * @param expiredKeyRetention    how long an expired key stays listed (with status {@code expired})
 *                               before its record is deleted
 */
@Validated
@ConfigurationProperties("gateway.admin")
public record AdminProperties(
        @Nullable String token,
        @DefaultValue("true") boolean rootTokenEnabled,
        @DefaultValue("10") @Min(1) int maxKeysPerAccount,
        @DefaultValue("5s") @NotNull @PositiveDuration Duration lastUsedFlushInterval,
        @Nullable @PositiveDuration Duration maxKeyLifetime,
        @DefaultValue("30d") @NotNull @PositiveDuration Duration expiredKeyRetention) {

    /** Whether the API is on: the bootstrap token is set, or it was retired in favour of named operators. */
    public boolean enabled() {
        return rootTokenSet() || !rootTokenEnabled;
    }

    /** Whether the bootstrap token authenticates as {@code root}. */
    public boolean rootAccepted() {
        return rootTokenEnabled && rootTokenSet();
    }

    private boolean rootTokenSet() {
        return token != null && !token.isBlank();
    }
}
