package ai.powerpost.gateway.metrics;

import java.time.Duration;

import ai.powerpost.gateway.errors.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Every meter name of the gateway's own request metrics, and their tags, in one place. Tags come
 * from bounded sets only: route id (from routes.yml, or {@code unmatched}), method, status class,
 * outcome, denial reason, scope. Never a key, key id, account, workspace or raw path.
 */
public final class GatewayMeters {

    /** Timer: every request, from arrival to response headers (histogram for p50/p99). */
    public static final String REQUESTS = "gateway.requests";
    /** Timer: time the upstream took, from the call to its response headers. */
    public static final String UPSTREAM = "gateway.upstream";
    /** Timer: what the gateway itself added (total minus upstream) on proxied requests. */
    public static final String OVERHEAD = "gateway.overhead";
    /** Counter: requests refused by the gateway, by reason (and scope for insufficient_scope). */
    public static final String DENIALS = "gateway.denials";

    /** Request and upstream latency buckets (a fixed set keeps the scrape small; p50/p99 by histogram_quantile). */
    private static final Duration[] LATENCY_BUCKETS = durations(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            10_000, 30_000, 60_000);
    /** Added-latency buckets, finer: the gateway's own cost is measured in microseconds. */
    private static final Duration[] OVERHEAD_BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
            Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50)};

    private final MeterRegistry registry;

    private static Duration[] durations(long... millis) {
        Duration[] out = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Duration.ofMillis(millis[i]);
        }
        return out;
    }

    public GatewayMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void request(String route, String method, int status, @Nullable ApiError denial, long totalNanos,
                 long upstreamNanos) {
        String statusClass = status / 100 + "xx";
        String outcome = denial != null ? "denied" : status >= 500 ? "upstream_error" : "proxied";
        Timer.builder(REQUESTS).description("Requests, arrival to response headers")
                .tags("route", route, "method", method, "status", statusClass, "outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry).record(totalNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            Timer.builder(UPSTREAM).description("Upstream time to response headers")
                    .tags("route", route).serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry).record(upstreamNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            Timer.builder(OVERHEAD).description("Time the gateway added to proxied requests")
                    .tags("route", route).serviceLevelObjectives(OVERHEAD_BUCKETS)
                    .register(registry).record(Math.max(0, totalNanos - upstreamNanos), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        if (denial != null) {
            Counter.builder(DENIALS).description("Requests refused by the gateway")
                    .tags("reason", DenialReasons.of(denial), "scope", denial.requiredScope() == null ? "none" : denial.requiredScope())
                    .register(registry).increment();
        }
    }
}
