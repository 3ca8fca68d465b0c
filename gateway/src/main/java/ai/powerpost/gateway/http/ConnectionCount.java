package ai.powerpost.gateway.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections on the public port, capped at {@code gateway.http.max-connections}: shared by
 * every connection's {@link ConnectionGuard}; exported as {@value #GAUGE}.
 */
final class ConnectionCount {

    static final String GAUGE = "gateway.http.connections";

    private final AtomicInteger open = new AtomicInteger();
    private final int max;

    ConnectionCount(int max, MeterRegistry meters) {
        this.max = max;
        Gauge.builder(GAUGE, open, AtomicInteger::get)
                .description("Open client connections on the public port")
                .register(meters);
    }

    /** Takes a place for a new connection, or answers false when the cap is reached. */
    boolean tryAcquire() {
        while (true) {
            int now = open.get();
            if (now >= max) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }

    @Override
    public String toString() {
        return "ConnectionCount[open=" + open.get() + ", max=" + max + "]";
    }
}
