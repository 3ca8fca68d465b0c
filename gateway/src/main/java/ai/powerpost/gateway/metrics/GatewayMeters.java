package ai.powerpost.gateway.metrics;

import ai.powerpost.gateway.errors.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
    private static final Duration[] LATENCY_BUCKETS =
            durations(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000);
    /** Added-latency buckets, finer: the gateway's own cost is measured in microseconds. */
    private static final Duration[] OVERHEAD_BUCKETS = {
        Duration.ofNanos(50_000),
        Duration.ofNanos(100_000),
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50)
    };

    /** Status classes as tag values, by {@code status / 100} (Netty allows codes up to 999). */
    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"
    };
    /**
     * Meters are looked up once per tag combination, then taken from these maps: building a meter
     * id and finding it in the registry on every request cost more than recording into it. The
     * maps hold what the registry holds (tags from bounded sets), and stop growing at this size,
     * past which the registry is asked as before.
     */
    private static final int MAX_CACHED = 4096;

    private final MeterRegistry registry;
    private final ConcurrentHashMap<RequestTags, Timer> requestTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer[]> upstreamTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<DenialTags, Counter> denialCounters = new ConcurrentHashMap<>();

    private record RequestTags(String route, String method, String statusClass, String outcome) {}

    private record DenialTags(String reason, String scope) {}

    private static Duration[] durations(long... millis) {
        Duration[] out = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Duration.ofMillis(millis[i]);
        }
        return out;
    }

    public GatewayMeters(MeterRegistry registry) {
        this.registry = registry;
        FunctionCounter.builder(
                        "gateway.access.log.dropped",
                        BatchingStdoutAppender.class,
                        appender -> BatchingStdoutAppender.dropped())
                .description("Access-log lines dropped because the writer's queue was full")
                .register(registry);
    }

    void request(
            String route, String method, int status, @Nullable ApiError denial, long totalNanos, long upstreamNanos) {
        String statusClass = status >= 0 && status < 1000 ? STATUS_CLASSES[status / 100] : "unknown";
        String outcome = denial != null ? "denied" : status >= 500 ? "upstream_error" : "proxied";
        cached(requestTimers, new RequestTags(route, method, statusClass, outcome), this::requestTimer)
                .record(totalNanos, TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            Timer[] timers = cached(upstreamTimers, route, this::upstreamTimers);
            timers[0].record(upstreamNanos, TimeUnit.NANOSECONDS);
            timers[1].record(Math.max(0, totalNanos - upstreamNanos), TimeUnit.NANOSECONDS);
        }
        if (denial != null) {
            cached(
                            denialCounters,
                            new DenialTags(
                                    DenialReasons.of(denial),
                                    denial.requiredScope() == null ? "none" : denial.requiredScope()),
                            this::denialCounter)
                    .increment();
        }
    }

    private <K, M> M cached(ConcurrentHashMap<K, M> cache, K key, Function<K, M> create) {
        M meter = cache.get(key);
        if (meter != null) {
            return meter;
        }
        return cache.size() < MAX_CACHED ? cache.computeIfAbsent(key, create) : create.apply(key);
    }

    private Timer requestTimer(RequestTags tags) {
        return Timer.builder(REQUESTS)
                .description("Requests, arrival to response headers")
                .tags(
                        "route",
                        tags.route(),
                        "method",
                        tags.method(),
                        "status",
                        tags.statusClass(),
                        "outcome",
                        tags.outcome())
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    private Timer[] upstreamTimers(String route) {
        return new Timer[] {
            Timer.builder(UPSTREAM)
                    .description("Upstream time to response headers")
                    .tags("route", route)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry),
            Timer.builder(OVERHEAD)
                    .description("Time the gateway added to proxied requests")
                    .tags("route", route)
                    .serviceLevelObjectives(OVERHEAD_BUCKETS)
                    .register(registry)
        };
    }

    private Counter denialCounter(DenialTags tags) {
        return Counter.builder(DENIALS)
                .description("Requests refused by the gateway")
                .tags("reason", tags.reason(), "scope", tags.scope())
                .register(registry);
    }
}
