package ai.powerpost.gateway.http;

import ai.powerpost.gateway.config.PositiveDuration;
import ai.powerpost.gateway.config.PositiveOrZeroDuration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on the client side of the public port ({@code gateway.http.*}). The keep-alive idle
 * timeout is Spring Boot's own {@code server.netty.idle-timeout} (75 s in application.yml).
 * docs/http-limits.md compares each default with nginx's and Envoy's.
 *
 * @param headerTimeout     the whole request head (request line and headers) must arrive within this,
 *                          counted from the connection's accept, or from the first byte of a later
 *                          request on a kept-alive connection; otherwise 408 (or a silent close, if
 *                          nothing was sent) and the connection is closed
 * @param bodyIdleTimeout   a request body that makes no progress (no byte) for this long is aborted:
 *                          408, the upstream request is cut before it completes, the connection closed
 * @param bodyMinRate       bytes per second a request body must average once {@code bodyMinRateGrace}
 *                          has passed (a trickle of one byte every few seconds is not progress); 0: off
 * @param bodyMinRateGrace  how long a body may run before its average rate is checked (0: from the start)
 * @param maxConnections    open connections one replica accepts on the public port; past it a new
 *                          connection is answered 503 and closed at once, established ones carry on
 * @param lingerTimeout     after an answer sent before the request body was read to its end (a 408,
 *                          a 413, a framing error), how long the gateway keeps reading and discarding
 *                          before it closes, so the client reads the answer instead of a reset
 */
@Validated
@ConfigurationProperties("gateway.http")
public record HttpLimitsProperties(
        @DefaultValue("30s") @NotNull @PositiveDuration Duration headerTimeout,
        @DefaultValue("30s") @NotNull @PositiveDuration Duration bodyIdleTimeout,
        @DefaultValue("240") @Min(0) long bodyMinRate,
        @DefaultValue("5s") @NotNull @PositiveOrZeroDuration Duration bodyMinRateGrace,
        @DefaultValue("10000") @Min(1) int maxConnections,
        @DefaultValue("2s") @NotNull @PositiveDuration Duration lingerTimeout) {}
