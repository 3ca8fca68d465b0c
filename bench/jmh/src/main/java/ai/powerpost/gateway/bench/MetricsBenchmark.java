package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.metrics.GatewayMeters;
import ai.powerpost.gateway.metrics.MetricsBenchAccess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request metrics {@code AccessLogCheck} records for a proxied request ({@code GatewayMeters}:
 * request, upstream and overhead timers), on the Prometheus registry the gateway scrapes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class MetricsBenchmark {

    GatewayMeters meters;
    String route = "post-get";
    String method = "GET";
    int status = 200;
    long totalNanos = 1_850_000;
    long upstreamNanos = 1_400_000;

    @Setup
    public void setUp() {
        meters = new GatewayMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @Benchmark
    public GatewayMeters requestMetrics() {
        MetricsBenchAccess.request(meters, route, method, status, null, totalNanos, upstreamNanos);
        return meters;
    }
}
