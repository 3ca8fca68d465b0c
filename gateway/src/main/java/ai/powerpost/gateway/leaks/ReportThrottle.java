package ai.powerpost.gateway.leaks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Public reports per client address: at most {@code max} per window, which starts at the address's
 * first report (this replica's count: across N replicas an address gets at most N times as many).
 * Bounded: the addresses of the last window, at most {@value #MAX_ADDRESSES} of them (past that the
 * least recent are forgotten, which only ever lets an address report again).
 */
final class ReportThrottle {

    static final int MAX_ADDRESSES = 100_000;

    private final int max;
    private final long windowNanos;
    private final Ticker ticker;
    private final Cache<String, Window> windows;

    private record Window(long startNanos, AtomicInteger count) {}

    ReportThrottle(int max, Duration window, Ticker ticker) {
        this.max = max;
        this.windowNanos = window.toNanos();
        this.ticker = ticker;
        this.windows = Caffeine.newBuilder()
                .maximumSize(MAX_ADDRESSES)
                .expireAfterWrite(window)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** 0 when {@code address} may report now (and it is counted), else the seconds until it may again. */
    long acquire(String address) {
        Window window = windows.get(address, a -> new Window(ticker.read(), new AtomicInteger()));
        if (window.count().incrementAndGet() <= max) {
            return 0;
        }
        long left = windowNanos - (ticker.read() - window.startNanos());
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    @Override
    public String toString() {
        return "ReportThrottle[" + max + " per " + Duration.ofNanos(windowNanos) + " per address]";
    }
}
