package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.Scope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.test.StepVerifier;

/**
 * The recorder's fail-open side, against a Redis address where nothing listens: a failed flush
 * never errors out, keeps what was pending for the next interval, and the pending set is bounded.
 */
class LastUsedRecorderTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LettuceConnectionFactory unreachable = unreachableRedis();

    @AfterEach
    void close() {
        unreachable.destroy();
    }

    private static LettuceConnectionFactory unreachableRedis() {
        int port = ai.powerpost.gateway.support.FreePorts.unused();
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", port),
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofMillis(500))
                        .build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    private LastUsedRecorder recorder(int maxPending) {
        return new LastUsedRecorder(
                new ReactiveStringRedisTemplate(unreachable),
                new UsageProperties(Duration.ofHours(1), maxPending),
                meters);
    }

    @Test
    void failedFlushCompletesAndKeepsWhatWasPendingForTheNextInterval() {
        LastUsedRecorder recorder = recorder(100);
        recorder.record("h1", Scope.POSTS_READ, 1000);
        recorder.record("h2", Scope.POSTS_READ, 1000);
        StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(recorder.pendingKeys()).isEqualTo(2);
        assertThat(meters.counter("gateway.usage.flush.failures").count()).isEqualTo(2);
    }

    @Test
    void pendingSetIsBoundedAndDropsAreCounted() {
        LastUsedRecorder recorder = recorder(10);
        for (int i = 0; i < 25; i++) {
            recorder.record("h" + i, Scope.POSTS_READ, 1000);
        }
        recorder.record("h0", Scope.POSTS_WRITE, 2000); // a key already pending is still updated
        assertThat(recorder.pendingKeys()).isEqualTo(10);
        assertThat(meters.counter("gateway.usage.dropped").count()).isEqualTo(15);
    }

    @Test
    void burstOnOneKeyIsOnePendingEntryHoldingTheNewestTimes() {
        LastUsedRecorder recorder = recorder(100);
        for (int i = 0; i < 1000; i++) {
            recorder.record("h1", i % 2 == 0 ? Scope.POSTS_READ : Scope.POSTS_WRITE, 1000 + i);
        }
        assertThat(recorder.pendingKeys()).isEqualTo(1);
        LastUsedRecorder.Pending entry = new LastUsedRecorder.Pending();
        for (int i = 0; i < 1000; i++) {
            entry.touch(i % 2 == 0 ? Scope.POSTS_READ : Scope.POSTS_WRITE, 1000 + i);
        }
        assertThat(entry.arguments())
                .containsExactly("last_used_at", "1999", "su:posts:read", "1998", "su:posts:write", "1999");
    }
}
