package ai.powerpost.gateway.routing;

import java.time.Duration;

/**
 * How calls to an upstream are protected, set per upstream in routes.yml and overridable per route.
 *
 * @param connectTimeout  how long connecting may take → 502 {@code BAD_GATEWAY}
 * @param responseTimeout how long the upstream may take to answer → 504 {@code GATEWAY_TIMEOUT}
 * @param retries         extra attempts for GET and HEAD only (never a POST: a repeated
 *                        {@code POST /content/generate} spends credits twice), with backoff
 * @param breaker         the circuit breaker's settings
 */
public record Resilience(Duration connectTimeout, Duration responseTimeout, int retries, Breaker breaker) {

    /** Code defaults, used where routes.yml says nothing. */
    public static final Resilience DEFAULTS = new Resilience(
            Duration.ofSeconds(2), Duration.ofSeconds(30), 2, new Breaker(50, 20, Duration.ofSeconds(10)));

    /**
     * Circuit breaker settings.
     *
     * @param failureRatePercent failure rate (errors, timeouts, 5xx) that opens the breaker
     * @param minimumCalls       calls in the sliding window before the rate counts
     * @param openFor            how long it stays open (answering 503 at once) before it tries again
     */
    public record Breaker(int failureRatePercent, int minimumCalls, Duration openFor) {}
}
