package ai.powerpost.gateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.ExpectedLogs;
import ch.qos.logback.classic.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** How the watcher reads the sentinels' {@code +switch-master} messages (the failover itself: SentinelFailoverIT). */
class SentinelPrimaryWatcherTest {

    /** The operator's line per promotion, and the failed re-open of a factory never started. */
    private final ExpectedLogs logged = ExpectedLogs.expect(SentinelPrimaryWatcher.class, Level.WARN);

    private final List<Object> published = new CopyOnWriteArrayList<>();
    // never started: re-opening its connection fails, which the watcher logs and goes on
    private final SentinelPrimaryWatcher watcher = new SentinelPrimaryWatcher(
            new LettuceConnectionFactory(
                    new RedisSentinelConfiguration("ppgw-primary", java.util.Set.of("127.0.0.1:1"))),
            published::add);

    @Test
    void aPromotionIsPublishedOnceHoweverManySentinelsAnnounceIt() {
        for (int sentinel = 0; sentinel < 3; sentinel++) {
            watcher.switched("ppgw-primary 10.0.0.1 6379 10.0.0.2 6380");
        }
        assertThat(awaitPublished(1)).containsExactly(new RedisPrimaryChanged("ppgw-primary", "10.0.0.2:6380"));

        watcher.switched("ppgw-primary 10.0.0.2 6380 10.0.0.1 6379"); // and back, later
        assertThat(awaitPublished(2)).endsWith(new RedisPrimaryChanged("ppgw-primary", "10.0.0.1:6379"));
    }

    @Test
    void otherMastersAndMalformedMessagesAreIgnored() {
        watcher.switched("someone-else 10.0.0.1 6379 10.0.0.2 6380");
        watcher.switched("ppgw-primary 10.0.0.2 6380");
        watcher.switched("");
        watcher.switched("ppgw-primary 10.0.0.1 6379 10.0.0.3 6381"); // the one that counts, last
        assertThat(awaitPublished(1)).containsExactly(new RedisPrimaryChanged("ppgw-primary", "10.0.0.3:6381"));
    }

    @AfterEach
    void release() {
        assertThat(logged.messages())
                .filteredOn(m -> m.startsWith("Redis Sentinel promoted"))
                .hasSize(published.size());
        logged.close();
    }

    /** Events are published off the delivering thread; waits for {@code n}, then a moment for any extra. */
    private List<Object> awaitPublished(int n) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (published.size() < n && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        return List.copyOf(published);
    }
}
