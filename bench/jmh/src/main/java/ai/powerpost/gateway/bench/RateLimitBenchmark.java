package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.ratelimit.RateLimitBenchAccess;
import ai.powerpost.gateway.routing.RateLimitClass;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
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
import org.springframework.http.HttpHeaders;

/** The per-key rate limit of an admitted request, as {@code RateLimitCheck} applies it. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class RateLimitBenchmark {

    RateLimitBenchAccess limiter;
    RateLimitClass limit;
    HttpHeaders responseHeaders;
    String keyId = Fixture.KEY_ID;

    @Setup
    public void setUp() throws IOException {
        limiter = new RateLimitBenchAccess(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        limit = Fixture.routesWithoutLimits().rateLimits().get("default");
        if (limit == null) {
            throw new IllegalStateException("routes.yml declares no 'default' rate-limit class");
        }
        responseHeaders = Exchanges.responseHeaders();
    }

    /** The in-memory decision for one key in its window, then the three {@code X-RateLimit-*} headers. */
    @Benchmark
    public boolean rateLimit() {
        return limiter.acquire(keyId, limit, responseHeaders);
    }
}
