package ai.powerpost.gateway.access;

import ai.powerpost.gateway.redis.PeriodicFlush;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveRedisTemplate;

/** The schedule of {@link BruteForceGuard#sync}: fail-open, one sync at a time, a last one on stop. */
final class BruteForceSync implements SmartLifecycle {

    private final PeriodicFlush schedule;

    BruteForceSync(BruteForceGuard guard, ReactiveRedisTemplate<String, String> redis, Duration interval) {
        this.schedule =
                new PeriodicFlush("brute-force counter sync", interval, Duration.ofSeconds(2), () -> guard.sync(redis));
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("stop(Runnable) only");
    }

    @Override
    public void stop(Runnable callback) {
        schedule.stop(callback);
    }

    @Override
    public boolean isRunning() {
        return schedule.isRunning();
    }

    @Override
    public int getPhase() {
        return PeriodicFlush.PHASE;
    }
}
