package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/** The settings' defaults live in code, and a non-positive interval is refused saying what it got. */
class RateLimitPropertiesTest {

    private static RateLimitProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("gateway.rate-limit", RateLimitProperties.class);
    }

    @Test
    void defaultsAreInCode() {
        RateLimitProperties properties = bind(Map.of());
        assertThat(properties.syncInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(properties.shards()).isEqualTo(16);
        assertThat(properties.maxBatch()).isEqualTo(500);
        assertThat(properties.maxKeys()).isEqualTo(100_000);
    }

    @Test
    void settingsBindFromTheirKebabCaseNames() {
        RateLimitProperties properties = bind(Map.of(
                "gateway.rate-limit.sync-interval",
                "50ms",
                "gateway.rate-limit.shards",
                "64",
                "gateway.rate-limit.max-keys",
                "1000"));
        assertThat(properties.syncInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(properties.shards()).isEqualTo(64);
        assertThat(properties.maxKeys()).isEqualTo(1000);
    }

    @Test
    void aNonPositiveIntervalIsRefusedSayingWhatItWas() {
        // as Boot binds @Validated settings; what start-up prints: config.SettingsValidationTest
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            for (String interval : new String[] {"0s", "-100ms"}) {
                BindHandler validating = new ValidationBindHandler(new SpringValidatorAdapter(factory.getValidator()));
                assertThatThrownBy(() -> new Binder(new MapConfigurationPropertySource(
                                        Map.of("gateway.rate-limit.sync-interval", interval)))
                                .bind("gateway.rate-limit", Bindable.of(RateLimitProperties.class), validating))
                        .isInstanceOf(BindException.class)
                        .rootCause()
                        .isInstanceOf(BindValidationException.class)
                        .hasMessageContaining("syncInterval")
                        .hasMessageContaining(
                                "must be a positive duration, but was " + (interval.equals("0s") ? "PT0S" : "PT-0.1S"));
            }
        }
    }
}
