package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/** The client-side limits' defaults, read rather than waited for (the ITs configure short ones). */
class HttpLimitsDefaultsTest {

    private static Binder applicationYml() throws IOException {
        List<PropertySource<?>> sources =
                new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yml"));
        return new Binder(ConfigurationPropertySources.from(sources.get(0)));
    }

    @Test
    void applicationYmlDefaultsAreWhatAnOperatorWouldPick() throws IOException {
        HttpLimitsProperties limits = applicationYml()
                .bind("gateway.http", HttpLimitsProperties.class)
                .get();
        assertThat(limits.headerTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.bodyIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.bodyMinRate()).isEqualTo(240);
        assertThat(limits.maxConnections()).isEqualTo(10_000);
        assertThat(applicationYml()
                        .bind("server.netty.idle-timeout", Duration.class)
                        .get())
                .as("longer than a load balancer's 60 s, so it closes first")
                .isEqualTo(Duration.ofSeconds(75));
    }

    @Test
    void theRecordsOwnDefaultsMatchApplicationYml() throws IOException {
        HttpLimitsProperties fromRecord = new Binder(new MapConfigurationPropertySource(Map.of("gateway.http.x", "1")))
                .bindOrCreate("gateway.http", HttpLimitsProperties.class);
        assertThat(fromRecord)
                .isEqualTo(applicationYml()
                        .bind("gateway.http", HttpLimitsProperties.class)
                        .get());
    }

    @Test
    void zeroTimeoutsAreRefused() {
        // every bad value, as start-up reports it: config.SettingsValidationTest
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            Validator validator = factory.getValidator();
            HttpLimitsProperties zero = new HttpLimitsProperties(
                    Duration.ZERO, Duration.ofSeconds(1), 0, Duration.ZERO, 1, Duration.ofSeconds(1));
            assertThat(validator.validate(zero))
                    .extracting(v -> v.getPropertyPath().toString())
                    .containsExactly("headerTimeout");
            assertThat(validator.validate(new HttpLimitsProperties(
                            Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ZERO, 1, Duration.ofSeconds(1))))
                    .as("a zero grace is checking from the start")
                    .isEmpty();
        }
    }
}
