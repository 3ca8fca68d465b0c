package ai.powerpost.gateway.web;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jspecify.annotations.Nullable;

/**
 * The annotated string is a trusted proxy network as {@link TrustedProxies} reads it: an IP
 * literal ({@code 10.0.0.7}, {@code ::1}) or a CIDR ({@code 10.0.0.0/8}); never a host name. A
 * blank entry is valid (it is ignored), and so is null.
 */
@Documented
@Constraint(validatedBy = ProxyAddress.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface ProxyAddress {

    String message() default "must be an IP address or a CIDR such as 10.0.0.0/8, but was '${validatedValue}'";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Validator implements ConstraintValidator<ProxyAddress, String> {
        @Override
        public boolean isValid(@Nullable String value, ConstraintValidatorContext context) {
            if (value == null || value.isBlank()) {
                return true;
            }
            try {
                TrustedProxies.Cidr.parse(value);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
