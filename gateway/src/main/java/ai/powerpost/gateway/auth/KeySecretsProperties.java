package ai.powerpost.gateway.auth;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The secrets that tag new keys ({@code gateway.keys.secrets.*}, {@code gateway.keys.minting-secret};
 * docs/security.md, "Keys that prove themselves").
 *
 * @param secrets       secret id to base64 secret (at least 32 bytes decoded); every one of them is
 *                      accepted when a key's tag is verified. Ids are 1-16 characters of {@code [a-z0-9]}
 *                      (so {@code GATEWAY_KEYS_SECRETS_<ID>} binds the same id as a properties file),
 *                      never secret: they are stored in key records and named in Redis keys. Empty
 *                      (the default): no key is tagged, every key takes the untagged-key path
 * @param mintingSecret the id of the secret that tags keys created now; must be one of {@code secrets}.
 *                      Required when the key management API is on ({@code gateway.admin.token} set)
 * @param untaggedFilterCapacity the smallest capacity of the untagged-key filter (it is built for twice
 *                      the untagged keys there are, if that is more, and rebuilt larger when full);
 *                      about 1.4 bytes per entry
 */
@Validated
@ConfigurationProperties("gateway.keys")
@KeySecretsProperties.Consistent
public record KeySecretsProperties(
        @DefaultValue @NotNull Map<@Pattern(regexp = ID_PATTERN, message = ID_RULE) String, @NotNull KeySecret> secrets,
        @Nullable String mintingSecret,
        @DefaultValue("10000") @Min(1) @Max(100_000_000) int untaggedFilterCapacity) {

    static final String ID_PATTERN = "[a-z0-9]{1,16}";
    static final String ID_RULE = "secret ids must be 1-16 characters of [a-z0-9]";

    public KeySecretsProperties {
        secrets = Map.copyOf(new TreeMap<>(secrets));
        mintingSecret = mintingSecret == null || mintingSecret.isBlank() ? null : mintingSecret.strip();
    }

    /** Whether new keys can be tagged (a minting secret is named). */
    public boolean canMint() {
        return mintingSecret != null;
    }

    @Override
    public String toString() {
        return "KeySecretsProperties[secrets=" + new TreeMap<>(secrets).keySet() + ", mintingSecret=" + mintingSecret
                + ", untaggedFilterCapacity=" + untaggedFilterCapacity + "]";
    }

    /** Every secret decodes to enough bytes, and the minting secret is one of them; no message holds a secret. */
    @Documented
    @Constraint(validatedBy = Consistent.Validator.class)
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Consistent {

        String message() default "invalid key secrets";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        final class Validator implements ConstraintValidator<Consistent, KeySecretsProperties> {
            @Override
            public boolean isValid(@Nullable KeySecretsProperties value, ConstraintValidatorContext context) {
                if (value == null) {
                    return true;
                }
                boolean valid = true;
                context.disableDefaultConstraintViolation();
                for (Map.Entry<String, KeySecret> secret : new TreeMap<>(value.secrets()).entrySet()) {
                    String problem =
                            secret.getValue() == null ? null : secret.getValue().problem();
                    if (problem != null) {
                        valid = false;
                        violation(context, "gateway.keys.secrets." + secret.getKey() + " " + problem);
                    }
                }
                String minting = value.mintingSecret();
                if (minting != null && !value.secrets().containsKey(minting)) {
                    valid = false;
                    // the value is echoed only if it looks like an id: someone may have put a secret there
                    String was = minting.matches(ID_PATTERN)
                            ? "'" + minting + "'"
                            : "not a secret id (it names one of the secrets, it is not one)";
                    violation(
                            context,
                            "gateway.keys.minting-secret must be the id of one of gateway.keys.secrets.<id> "
                                    + new TreeMap<>(value.secrets()).keySet() + ", but was " + was);
                }
                return valid;
            }

            /** A violation of the whole record, so the report shows no property value, only this message. */
            private static void violation(ConstraintValidatorContext context, String message) {
                // escaped: the message is literal text, never an expression
                String literal = message.replace("\\", "\\\\")
                        .replace("{", "\\{")
                        .replace("}", "\\}")
                        .replace("$", "\\$");
                context.buildConstraintViolationWithTemplate(literal).addConstraintViolation();
            }
        }
    }
}
