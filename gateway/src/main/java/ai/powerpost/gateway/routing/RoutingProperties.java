package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the routes come from ({@code gateway.routes.*}).
 *
 * @param file           routes.yml; the environment variable {@code GATEWAY_ROUTES_FILE} sets it
 * @param reloadInterval how often the file is checked for changes (applied without a restart)
 */
@Validated
@ConfigurationProperties("gateway.routes")
public record RoutingProperties(
        @DefaultValue("./routes.yml") @NotNull Path file,
        @DefaultValue("2s") @NotNull @PositiveDuration java.time.Duration reloadInterval) {}
