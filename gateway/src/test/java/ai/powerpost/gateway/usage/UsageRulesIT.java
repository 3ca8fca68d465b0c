package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.support.RedisSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The rules that need history (a spike over the median hour of 7 days, a record count of networks
 * in a day), end to end through the record script on the real Redis server: a recorder is handed
 * requests of past days with their times, flushed, then handed today's.
 */
class UsageRulesIT {

    private static final long HOUR = UsageRules.HOUR;
    private static final long DAY = UsageRules.DAY;

    private final LettuceConnectionFactory connections = connect();
    private final ReactiveStringRedisTemplate redis = new ReactiveStringRedisTemplate(connections);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final UsageProperties properties = new UsageProperties(Duration.ofHours(1), 1000);
    private final UsageStore store = new UsageStore(redis, meters, Clock.systemUTC());
    private final KeyUsageRecorder recorder = new KeyUsageRecorder(
            redis, properties, store, new LastUsedRecorder(redis, properties, meters), meters, Clock.systemUTC());
    private final long thisHour = System.currentTimeMillis() / HOUR * HOUR;

    private static LettuceConnectionFactory connect() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(
                "127.0.0.1", RedisSupport.redis().port()));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @AfterEach
    void close() {
        connections.destroy();
    }

    private static KeyRecord newKey() {
        String id = "key_" + UUID.randomUUID().toString().replace("-", "");
        return new KeyRecord("h" + id, id, "acct_rules", Set.of(Scope.ACCOUNT_READ));
    }

    private void requests(KeyRecord key, long hourStart, int count, String... clients) {
        for (int i = 0; i < count; i++) {
            recorder.record(key, "account-credits", 200, clients[i % clients.length], hourStart + i);
        }
    }

    private void flush() {
        recorder.flush().block(Duration.ofSeconds(30));
    }

    private List<String> rulesFound(KeyRecord key) {
        return store.findingsOfKey(key.id(), Instant.now().minus(Duration.ofDays(30)))
                .map(Finding::rule)
                .collectList()
                .block(Duration.ofSeconds(10));
    }

    /** Eight days of 20 requests an hour, the hour itself excluded. */
    private void steadyWeek(KeyRecord key) {
        for (long hour = thisHour - 8 * 24 * HOUR; hour < thisHour; hour += HOUR) {
            requests(key, hour, 20, "198.51.100.1");
        }
        flush();
    }

    @Test
    void anHourOfMoreThanTenTimesTheMedianHourIsASpike() {
        KeyRecord key = newKey();
        steadyWeek(key);
        requests(key, thisHour, 201, "198.51.100.1");
        flush();
        assertThat(rulesFound(key)).containsExactly("hourly_spike");
        assertThat(meters.counter(UsageStore.FINDINGS_METRIC, "rule", "hourly_spike")
                        .count())
                .isEqualTo(1);

        requests(key, thisHour + 1000, 500, "198.51.100.1");
        flush();
        assertThat(rulesFound(key)).as("once per key and hour").containsExactly("hourly_spike");
    }

    @Test
    void steadyHoursAreNoSpike() {
        KeyRecord key = newKey();
        steadyWeek(key);
        requests(key, thisHour, 199, "198.51.100.1");
        flush();
        assertThat(rulesFound(key)).isEmpty();
    }

    @Test
    void moreNetworksInADayThanOnAnyEarlierDayIsARecordAndTheSameCountIsNot() {
        KeyRecord record = newKey();
        KeyRecord steady = newKey();
        long today = thisHour / DAY * DAY;
        for (long day = today - 8 * DAY; day < today; day += DAY) {
            requests(record, day + HOUR, 4, "198.51.100.1", "203.0.113.1");
            requests(steady, day + HOUR, 4, "198.51.100.1", "203.0.113.1");
            flush();
        }
        requests(record, thisHour, 6, "198.51.100.1", "203.0.113.1", "192.0.2.1");
        requests(steady, thisHour, 6, "198.51.100.1", "203.0.113.1");
        flush();
        assertThat(rulesFound(record)).contains("network_count_record");
        assertThat(rulesFound(steady)).isEmpty();
    }
}
