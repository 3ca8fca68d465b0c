package ai.powerpost.gateway.metrics;

import ai.powerpost.gateway.errors.ApiError;
import org.jspecify.annotations.Nullable;

/** For the JMH benchmarks only (bench/jmh): {@link GatewayMeters}' package-private recording method. */
public final class MetricsBenchAccess {

    private MetricsBenchAccess() {}

    /** What {@link AccessLogCheck} records for one request when its response is committed. */
    public static void request(
            GatewayMeters meters,
            String route,
            String method,
            int status,
            @Nullable ApiError denial,
            long totalNanos,
            long upstreamNanos) {
        meters.request(route, method, status, denial, totalNanos, upstreamNanos);
    }
}
