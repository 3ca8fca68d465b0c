package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.AuthProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts failed key attempts per client address in fixed windows, in memory (per replica, no
 * Redis on the request path). An address with {@code maxFailures} failures in its current window
 * is throttled until the window ends. Bounded: at most 100 000 addresses are tracked; under a
 * distributed flood the least useful entries are evicted first.
 */
final class BruteForceGuard {

    private static final long MAX_ADDRESSES = 100_000;

    private final Cache<String, Window> windows;
    private final int maxFailures;
    private final long windowNanos;
    private final Ticker ticker;

    BruteForceGuard(AuthProperties properties, Ticker ticker) {
        this.maxFailures = properties.maxFailures();
        this.windowNanos = properties.failureWindow().toNanos();
        this.ticker = ticker;
        this.windows = Caffeine.newBuilder()
                .executor(Runnable::run) // maintenance on the caller: no pool thread woken per request
                .ticker(ticker)
                .maximumSize(MAX_ADDRESSES)
                .expireAfterWrite(properties.failureWindow().toNanos(), TimeUnit.NANOSECONDS)
                .build();
    }

    /** Whether the address has used up its failures for the current window. */
    boolean throttled(String address) {
        Window window = windows.getIfPresent(address);
        return window != null && window.failures.get() >= maxFailures;
    }

    /** Seconds until the address's window ends (at least 1). */
    long retryAfterSeconds(String address) {
        Window window = windows.getIfPresent(address);
        long remaining = window == null ? 0 : windowNanos - (ticker.read() - window.startNanos);
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(remaining + 999_999_999L));
    }

    void recordFailure(String address) {
        windows.get(address, a -> new Window(ticker.read())).failures.incrementAndGet();
    }

    private record Window(long startNanos, AtomicInteger failures) {
        Window(long startNanos) {
            this(startNanos, new AtomicInteger());
        }
    }
}
