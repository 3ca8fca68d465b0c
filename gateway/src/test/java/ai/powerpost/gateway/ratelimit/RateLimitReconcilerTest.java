package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.routing.RateLimitClass;
import ai.powerpost.gateway.support.FreePorts;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.test.StepVerifier;

/**
 * Redis unreachable (an address where nothing listens): limiting goes on, on the local view;
 * syncs complete without error, keep the counts for the next interval, are counted, and the
 * outage is logged once, not once per batch.
 */
class RateLimitReconcilerTest {

    private static final RateLimitClass THREE_PER_HOUR = new RateLimitClass("default", 3, Duration.ofHours(1));

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FakeClock clock = new FakeClock(System.currentTimeMillis());
    private final RateLimitProperties properties = new RateLimitProperties(Duration.ofMillis(100), 4, 500, 1000);
    private final LettuceConnectionFactory unreachable = unreachableRedis();
    private final LocalRateLimiter limiter = new LocalRateLimiter(properties, clock, clock, meters);
    private final RateLimitReconciler reconciler = new RateLimitReconciler(
            new ReactiveStringRedisTemplate(unreachable), limiter.pending(), properties, clock, meters);
    private final Logger log = (Logger) LoggerFactory.getLogger(RateLimitReconciler.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    RateLimitReconcilerTest() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void close() {
        log.detachAppender(logged);
        unreachable.destroy();
    }

    private static LettuceConnectionFactory unreachableRedis() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", FreePorts.unused()),
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofMillis(500))
                        .build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @Test
    void limitingGoesOnLocallyAndFailedSyncsAreCountedAndLoggedOnce() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("key_a", THREE_PER_HOUR).allowed()).isTrue();
        }
        limiter.tryAcquire("key_b", THREE_PER_HOUR);
        for (int round = 1; round <= 3; round++) {
            StepVerifier.create(reconciler.sync()).expectComplete().verify(Duration.ofSeconds(10));
            assertThat(limiter.tryAcquire("key_a", THREE_PER_HOUR).allowed()).isFalse();
            assertThat(limiter.pending().size())
                    .as("kept for the next interval")
                    .isEqualTo(2);
        }
        double failures = meters.counter(RateLimitMeters.SYNC_FAILURES).count();
        assertThat(failures).isBetween(3.0, 6.0); // one per failed script call: one or two shards, three rounds
        assertThat(reconciler.failing()).isTrue();
        List<ILoggingEvent> warnings =
                logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage())
                .contains("rate-limit sync with Redis failed")
                .doesNotContain("key_a")
                .doesNotContain("key_b");
    }

    @Test
    void countsOfAnEndedWindowAreDroppedNotRetriedForever() {
        limiter.tryAcquire("key_a", THREE_PER_HOUR);
        StepVerifier.create(reconciler.sync()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(limiter.pending().size()).isEqualTo(1);
        clock.advance(Duration.ofHours(1));
        StepVerifier.create(reconciler.sync()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(limiter.pending().size()).isZero();
    }

    @Test
    void startAndStopNeverWaitOnAnUnreachableRedis() throws InterruptedException {
        limiter.tryAcquire("key_a", THREE_PER_HOUR);
        reconciler.start();
        assertThat(reconciler.isRunning()).isTrue();
        CountDownLatch stopped = new CountDownLatch(1);
        reconciler.stop(stopped::countDown);
        assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(reconciler.isRunning()).isFalse();
    }
}
