package ai.powerpost.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** One settable time for a test: epoch milliseconds for the windows, nanoseconds for Caffeine. */
final class FakeClock implements LongSupplier, Ticker {

    private final AtomicLong millis;

    FakeClock(long epochMillis) {
        this.millis = new AtomicLong(epochMillis);
    }

    @Override
    public long getAsLong() {
        return millis.get();
    }

    @Override
    public long read() {
        return Duration.ofMillis(millis.get()).toNanos();
    }

    void advance(Duration by) {
        millis.addAndGet(by.toMillis());
    }

    void set(long epochMillis) {
        millis.set(epochMillis);
    }
}
