package ai.powerpost.gateway.ratelimit;

import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.routing.RateLimitClass;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import org.springframework.http.HttpHeaders;

/**
 * For the JMH benchmarks only (bench/jmh): the ratelimit package's package-private pieces, built
 * the way {@link RateLimitConfiguration} builds them (default {@code gateway.rate-limit.*}).
 */
public final class RateLimitBenchAccess {

    private static final RateLimitProperties PROPERTIES =
            new RateLimitProperties(Duration.ofMillis(100), 16, 500, 100_000);

    private final LocalRateLimiter limiter;

    public RateLimitBenchAccess(MeterRegistry meters) {
        this.limiter = new LocalRateLimiter(PROPERTIES, System::currentTimeMillis, Ticker.systemTicker(), meters);
    }

    /**
     * What {@link RateLimitCheck} does for a request of a limited route, minus registering the
     * same header write again before commit: decide, then set the {@code X-RateLimit-*} headers.
     */
    public boolean acquire(String keyId, RateLimitClass limit, HttpHeaders responseHeaders) {
        Decision decision = limiter.tryAcquire(keyId, limit);
        RateLimitHeaders.set(responseHeaders, decision);
        return decision.allowed();
    }

    /** {@link RateLimitCheck} over this limiter. */
    public Check filter(Collection<RateLimitClass> classes, MeterRegistry meters) {
        return new RateLimitCheck(limiter, classes, PROPERTIES, meters);
    }
}
