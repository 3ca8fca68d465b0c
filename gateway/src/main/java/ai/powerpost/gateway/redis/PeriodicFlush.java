package ai.powerpost.gateway.redis;

import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The schedule of a batched, fail-open Redis writer (last-used times, rate-limit counts): runs
 * {@code flush} every interval, one at a time, skipping ticks while one is still running; a failed
 * flush is logged and the next tick tries again; stopping runs one final flush, bounded by a
 * timeout, before it reports the stop done. The writers own what they write; this owns when.
 * As a {@link SmartLifecycle} it can be a bean of its own, in {@link #PHASE}.
 */
public final class PeriodicFlush implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicFlush.class);

    private final String what;
    private final Duration interval;
    private final Duration finalTimeout;
    private final Supplier<Mono<Void>> flush;
    private volatile @Nullable Disposable schedule;
    private volatile boolean running;

    /**
     * @param what         what is flushed, for log lines, e.g. {@code last-used flush}
     * @param interval     time between flushes
     * @param finalTimeout how long the flush on stop may take
     * @param flush        one flush; it should recover from its own failures, this logs what escapes
     */
    public PeriodicFlush(String what, Duration interval, Duration finalTimeout, Supplier<Mono<Void>> flush) {
        this.what = what;
        this.interval = interval;
        this.finalTimeout = finalTimeout;
        this.flush = flush;
    }

    @Override
    public void start() {
        schedule = Flux.interval(interval)
                .onBackpressureDrop()
                .concatMap(
                        tick -> flush.get().onErrorResume(e -> {
                            log.warn("{} failed: {}", what, e.getClass().getSimpleName());
                            return Mono.empty();
                        }),
                        0)
                .subscribe();
        running = true;
    }

    /** Stops the schedule, runs a final flush, then calls {@code callback}, whatever the flush's outcome. */
    @Override
    public void stop(Runnable callback) {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
        running = false;
        // Subscribed on a worker, not on the stopping thread: dispatching a Redis command can block
        // (a Lettuce connection wedged after a Redis restart was seen holding its write lock), and
        // a shutdown must end within finalTimeout whatever Redis does.
        Mono.defer(flush)
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(finalTimeout)
                .doOnError(
                        e -> log.warn("final {} failed: {}", what, e.getClass().getSimpleName()))
                .doFinally(signal -> callback.run())
                .subscribe(null, e -> {});
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("stop(Runnable) only");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The lifecycle phase of such writers: after the web server has drained, before the Redis client (0) closes. */
    public static final int PHASE = 1000;
}
