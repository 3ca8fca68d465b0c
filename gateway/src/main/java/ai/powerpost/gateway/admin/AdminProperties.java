package ai.powerpost.gateway.admin;

import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The key management API ({@code gateway.admin.*}).
 *
 * @param token              bearer token every call needs ({@code GATEWAY_ADMIN_TOKEN}); unset or blank: the API is off
 * @param maxKeysPerAccount  active keys an account may hold (PowerPost: 10)
 */
@Validated
@ConfigurationProperties("gateway.admin")
public record AdminProperties(
        @Nullable String token, @DefaultValue("10") @Min(1) int maxKeysPerAccount) {

    public boolean enabled() {
        return token != null && !token.isBlank();
    }
}
