package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.Scope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    void burstOnOneKeyIsOnePendingEntryHoldingItsMinutePerScope() {
        LastUsedRecorder recorder = recorder(100);
        long minute = 29_000_000L * LastUsedRecorder.MINUTE;
        for (int i = 0; i < 1000; i++) {
            recorder.record("h1", i % 2 == 0 ? Scope.POSTS_READ : Scope.POSTS_WRITE, minute + 10L * i);
        }
        assertThat(recorder.pendingKeys()).isEqualTo(1);
        LastUsedRecorder.Entry entry = new LastUsedRecorder.Entry();
        for (int i = 0; i < 1000; i++) {
            entry.touch(1 << (i % 2 == 0 ? Scope.POSTS_READ : Scope.POSTS_WRITE).ordinal(), 29_000_000);
        }
        assertThat(arguments(entry, Long.MAX_VALUE))
                .containsExactly(
                        "3",
                        "last_used_at",
                        Long.toString(minute),
                        "su:posts:read",
                        Long.toString(minute),
                        "su:posts:write",
                        Long.toString(minute));
    }

    @Test
    void aMinuteAndScopeThisReplicaWroteNeedNoWriteAndTheNextMinuteWritesOnlyWhatChanged() {
        int minute = 29_000_000;
        LastUsedRecorder.Entry entry = new LastUsedRecorder.Entry();
        entry.touch(1 << Scope.POSTS_READ.ordinal(), minute);
        written(entry);
        entry.touch(1 << Scope.POSTS_READ.ordinal(), minute);
        assertThat(entry.snapshot("h1", 0, Long.MAX_VALUE)).as("nothing new").isNull();
        assertThat(entry.pending()).isFalse();

        entry.touch(1 << Scope.POSTS_WRITE.ordinal(), minute);
        assertThat(arguments(entry, Long.MAX_VALUE))
                .as("a new scope in the minute written")
                .containsExactly("1", "su:posts:write", Long.toString(minute * LastUsedRecorder.MINUTE));
        written(entry);

        entry.touch(1 << Scope.POSTS_READ.ordinal(), minute + 1);
        assertThat(arguments(entry, Long.MAX_VALUE))
                .containsExactly(
                        "2",
                        "last_used_at",
                        Long.toString((minute + 1) * LastUsedRecorder.MINUTE),
                        "su:posts:read",
                        Long.toString((minute + 1) * LastUsedRecorder.MINUTE));
    }

    @Test
    void scopesUsedInAnEarlierUnwrittenMinuteKeepThatMinute() {
        int minute = 29_000_000;
        LastUsedRecorder.Entry entry = new LastUsedRecorder.Entry();
        entry.touch(1 << Scope.POSTS_WRITE.ordinal(), minute);
        entry.touch(1 << Scope.POSTS_READ.ordinal(), minute + 1);
        entry.touch(1 << Scope.POSTS_WRITE.ordinal(), minute - 3); // late and older: changes nothing
        assertThat(arguments(entry, Long.MAX_VALUE))
                .containsExactly(
                        "3",
                        "last_used_at",
                        Long.toString((minute + 1) * LastUsedRecorder.MINUTE),
                        "su:posts:read",
                        Long.toString((minute + 1) * LastUsedRecorder.MINUTE),
                        "su:posts:write",
                        Long.toString(minute * LastUsedRecorder.MINUTE));
    }

    @Test
    void aWrittenKeyUsedAgainInItsMinuteIsReadAgainOnlyOnceTheSuccessorCacheTtlHasPassed() {
        int minute = 29_000_000;
        LastUsedRecorder.Entry entry = new LastUsedRecorder.Entry();
        entry.touch(1 << Scope.POSTS_READ.ordinal(), minute);
        entry.snapshot("h1", 1_000, 500).written(null, 1_000);
        entry.touch(1 << Scope.POSTS_READ.ordinal(), minute);
        assertThat(entry.snapshot("h1", 1_400, 500)).isNull();
        assertThat(arguments(entry, 500, 1_500))
                .as("a read of the record alone")
                .containsExactly("0");
    }

    private static void written(LastUsedRecorder.Entry entry) {
        entry.snapshot("h1", 0, Long.MAX_VALUE).written(null, 0);
    }

    private static List<String> arguments(LastUsedRecorder.Entry entry, long revisit) {
        return arguments(entry, revisit, 0);
    }

    private static List<String> arguments(LastUsedRecorder.Entry entry, long revisit, long now) {
        List<String> args = new ArrayList<>();
        entry.snapshot("h1", now, revisit).arguments(args);
        return args;
    }
}
