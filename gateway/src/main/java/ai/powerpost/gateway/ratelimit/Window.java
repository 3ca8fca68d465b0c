package ai.powerpost.gateway.ratelimit;

import java.time.Duration;

/**
 * One fixed window of a rate-limit class, {@code [start, end)} in Unix epoch milliseconds.
 * Windows are aligned on whole multiples of the class's period since the epoch, so every
 * replica agrees on them without talking to the others.
 *
 * @param startMillis first millisecond of the window
 * @param endMillis   first millisecond after it
 */
record Window(long startMillis, long endMillis) {

    /** The window of a class with period {@code per} that holds {@code epochMillis}. */
    static Window of(Duration per, long epochMillis) {
        long length = per.toMillis();
        long start = Math.floorDiv(epochMillis, length) * length;
        return new Window(start, start + length);
    }

    /** {@code X-RateLimit-Reset}: when the window ends, in Unix epoch seconds (rounded up). */
    long resetEpochSeconds() {
        return ceilSeconds(endMillis);
    }

    /** {@code Retry-After}: whole seconds from {@code nowMillis} until the window ends, at least 1. */
    long secondsLeft(long nowMillis) {
        return Math.max(1, ceilSeconds(endMillis - nowMillis));
    }

    private static long ceilSeconds(long millis) {
        return -Math.floorDiv(-millis, 1000);
    }
}
