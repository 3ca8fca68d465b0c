package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** The counts in memory are bounded: a flood of distinct keys cannot grow them past {@code max-keys}. */
class KeyUsageRecorderTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private KeyUsageRecorder recorder(int maxKeys, int maxNetworks) {
        UsageProperties properties = new UsageProperties(
                Duration.ofHours(1), 100, maxKeys, maxNetworks, Duration.ofDays(14), 10, 100, 7, Duration.ofMinutes(1));
        // never connected: these tests never flush
        ReactiveStringRedisTemplate redis = new ReactiveStringRedisTemplate(new LettuceConnectionFactory());
        return new KeyUsageRecorder(
                redis,
                properties,
                new UsageStore(redis, meters, Clock.systemUTC()),
                new LastUsedRecorder(redis, properties, meters),
                meters,
                Clock.systemUTC());
    }

    private static KeyRecord key(int i) {
        return new KeyRecord("h" + i, "key_" + i, "acct", Set.of(Scope.ACCOUNT_READ));
    }

    @Test
    void aFloodOfDistinctKeysIsCountedUpToTheBoundAndTheRestDroppedAndCounted() {
        KeyUsageRecorder recorder = recorder(1000, 10);
        for (int i = 0; i < 50_000; i++) {
            recorder.record(key(i), "account-credits", 200, "198.51.100." + (i % 250), 1_000_000L + i);
        }
        assertThat(recorder.trackedKeys()).isEqualTo(1000);
        assertThat(recorder.droppedRequests()).isEqualTo(49_000);
        assertThat(meters.counter("gateway.usage.counts.dropped").count()).isEqualTo(49_000);
        assertThat(meters.get("gateway.usage.counts.keys").gauge().value()).isEqualTo(1000);
    }

    @Test
    void aKnownKeyIsStillCountedWhenTheBoundIsReached() {
        KeyUsageRecorder recorder = recorder(2, 10);
        recorder.record(key(1), "account-credits", 200, "198.51.100.1", 1_000_000L);
        recorder.record(key(2), "account-credits", 200, "198.51.100.1", 1_000_000L);
        recorder.record(key(3), "account-credits", 200, "198.51.100.1", 1_000_000L);
        recorder.record(key(1), "account-credits", 200, "198.51.100.1", 1_000_001L);
        assertThat(recorder.trackedKeys()).isEqualTo(2);
        assertThat(recorder.droppedRequests()).isEqualTo(1);
    }

    @Test
    void aFlushRedisRefusesCompletesDropsItsCountsAndCountsTheFailure() {
        LettuceConnectionFactory unreachable = new LettuceConnectionFactory(
                new org.springframework.data.redis.connection.RedisStandaloneConfiguration(
                        "127.0.0.1", ai.powerpost.gateway.support.FreePorts.unused()),
                org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofMillis(500))
                        .build());
        unreachable.afterPropertiesSet();
        unreachable.start();
        try {
            ReactiveStringRedisTemplate redis = new ReactiveStringRedisTemplate(unreachable);
            UsageProperties properties = new UsageProperties(Duration.ofHours(1), 100);
            KeyUsageRecorder recorder = new KeyUsageRecorder(
                    redis,
                    properties,
                    new UsageStore(redis, meters, Clock.systemUTC()),
                    new LastUsedRecorder(redis, properties, meters),
                    meters,
                    Clock.systemUTC());
            recorder.record(key(1), "account-credits", 200, "198.51.100.1", 1_000_000L);
            recorder.record(key(2), "account-credits", 200, "198.51.100.1", 1_000_000L);

            reactor.test.StepVerifier.create(recorder.flush()).expectComplete().verify(Duration.ofSeconds(10));

            // fail open, never written twice: the counts are gone, the failures counted
            assertThat(recorder.trackedKeys()).isZero();
            assertThat(meters.counter("gateway.usage.counts.failures").count()).isEqualTo(2);
        } finally {
            unreachable.destroy();
        }
    }

    @Test
    void networksPerKeyAreBoundedToo() {
        KeyUsageRecorder recorder = recorder(10, 3);
        for (int i = 0; i < 100; i++) {
            recorder.record(key(1), "account-credits", 200, "10.0." + i + ".1", 1_000_000L + i);
        }
        assertThat(meters.counter("gateway.usage.counts.networks.dropped").count())
                .isEqualTo(97);
    }
}
