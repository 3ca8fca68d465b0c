package ai.powerpost.gateway.metrics;

import ai.powerpost.gateway.errors.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
     * A route's meters are made once, then found with one look-up by the route's id (its hash is
     * cached in the String): the request timer by method, status class and outcome in an array
     * filled on first use, the upstream and overhead timers beside it. Building a meter id and
     * finding it in the registry on every request cost more than recording into it, and so did a
     * map keyed by a new tag object per request. The map holds what the registry holds (route ids
     * from routes.yml and the gateway's own endpoints, a bounded set) and stops growing at this
     * size, past which a route's meters are made for the request and the registry finds them.
     */
    private static final int MAX_ROUTES = 4096;

    /** The methods a request timer can be tagged with without an allocation; any other is looked up. */
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"};

    private static final String[] OUTCOMES = {"proxied", "denied", "upstream_error"};

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ApiError, Counter> denialCounters = new ConcurrentHashMap<>();

    /** One route's meters: request timers by [method][status class][outcome], made on first use. */
    private final class RouteMeters {
        final String route;
        final AtomicReferenceArray<Timer> requests =
                new AtomicReferenceArray<>((METHODS.length + 1) * STATUS_CLASSES.length * OUTCOMES.length);
        final Timer upstream;
        final Timer overhead;

        RouteMeters(String route) {
            this.route = route;
            this.upstream = Timer.builder(UPSTREAM)
                    .description("Upstream time to response headers")
                    .tags("route", route)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
            this.overhead = Timer.builder(OVERHEAD)
                    .description("Time the gateway added to proxied requests")
                    .tags("route", route)
                    .serviceLevelObjectives(OVERHEAD_BUCKETS)
                    .register(registry);
        }

        Timer request(String method, int statusClass, int outcome) {
            int m = methodIndex(method);
            if (m < 0) {
                return requestTimer(route, method, STATUS_CLASSES[statusClass], OUTCOMES[outcome]);
            }
            int slot = (m * STATUS_CLASSES.length + statusClass) * OUTCOMES.length + outcome;
            Timer timer = requests.get(slot);
            if (timer == null) {
                timer = requestTimer(route, method, STATUS_CLASSES[statusClass], OUTCOMES[outcome]);
                requests.set(slot, timer); // the registry returns the same timer to a racing caller
            }
            return timer;
        }
    }

    private static int methodIndex(String method) {
        for (int i = 0; i < METHODS.length; i++) {
            if (METHODS[i].equals(method)) {
                return i;
            }
        }
        return -1;
    }

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
        RouteMeters meters = routes.get(route);
        if (meters == null) {
            meters = routes.size() < MAX_ROUTES
                    ? routes.computeIfAbsent(route, RouteMeters::new)
                    : new RouteMeters(route);
        }
        if (status >= 0 && status < 1000) {
            int outcome = denial != null ? 1 : status >= 500 ? 2 : 0;
            meters.request(method, status / 100, outcome).record(totalNanos, TimeUnit.NANOSECONDS);
        } else {
            requestTimer(route, method, "unknown", denial != null ? "denied" : "proxied")
                    .record(totalNanos, TimeUnit.NANOSECONDS);
        }
        if (upstreamNanos >= 0) {
            meters.upstream.record(upstreamNanos, TimeUnit.NANOSECONDS);
            meters.overhead.record(Math.max(0, totalNanos - upstreamNanos), TimeUnit.NANOSECONDS);
        }
        if (denial != null) {
            Counter denied = denialCounters.get(denial);
            if (denied == null) {
                denied = denialCounters.size() < MAX_ROUTES
                        ? denialCounters.computeIfAbsent(denial, this::denialCounter)
                        : denialCounter(denial);
            }
            denied.increment();
        }
    }

    private Timer requestTimer(String route, String method, String statusClass, String outcome) {
        return Timer.builder(REQUESTS)
                .description("Requests, arrival to response headers")
                .tags("route", route, "method", method, "status", statusClass, "outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    private Counter denialCounter(ApiError denial) {
        return Counter.builder(DENIALS)
                .description("Requests refused by the gateway")
                .tags(
                        "reason",
                        DenialReasons.of(denial),
                        "scope",
                        denial.requiredScope() == null ? "none" : denial.requiredScope())
                .register(registry);
    }
}
