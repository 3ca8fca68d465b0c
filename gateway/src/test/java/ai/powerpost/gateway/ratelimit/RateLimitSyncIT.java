package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.routing.RateLimitClass;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Several replicas (limiter plus reconciler each, with their own replica id) against the real
 * Redis, with the syncs run by hand, so every interleaving is exact: what a replica learns, when,
 * and what that lets the replicas admit together.
 */
class RateLimitSyncIT {

    static {
        // BlockHound (installed once per JVM by the test support) must be in place before this class
        // starts Reactor's schedulers: a worker already parked when it installs would be flagged.
        try {
            Class.forName(GatewayInstance.class.getName());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final RateLimitClass TEN_PER_HOUR = new RateLimitClass("default", 10, Duration.ofHours(1));
    private static final LettuceConnectionFactory FACTORY = connect();
    private static final ReactiveStringRedisTemplate REDIS = new ReactiveStringRedisTemplate(FACTORY);

    private final FakeClock clock = new FakeClock(System.currentTimeMillis());
    private final String keyId =
            "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);

    private static LettuceConnectionFactory connect() {
        return connect(Duration.ofSeconds(5));
    }

    /** A client whose commands time out after {@code commandTimeout}, as Spring Boot configures the gateway's. */
    private static LettuceConnectionFactory connect(Duration commandTimeout) {
        URI uri = URI.create(RedisSupport.redis().url());
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()),
                LettuceClientConfiguration.builder()
                        .commandTimeout(commandTimeout)
                        .clientOptions(ClientOptions.builder()
                                .timeoutOptions(TimeoutOptions.enabled())
                                .build())
                        .build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @AfterAll
    static void close() {
        FACTORY.destroy();
    }

    /** One replica: its limiter and its reconciler; syncs only when told. */
    private final class Replica {
        final LocalRateLimiter limiter;
        final RateLimitReconciler reconciler;
        int admitted;

        Replica() {
            this(REDIS);
        }

        Replica(ReactiveStringRedisTemplate redis) {
            RateLimitProperties properties = new RateLimitProperties(Duration.ofMillis(100), 16, 500, 1000);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            limiter = new LocalRateLimiter(properties, clock, clock, meters);
            reconciler = new RateLimitReconciler(redis, limiter.pending(), properties, clock, meters);
        }

        int send(int requests) {
            return send(keyId, requests);
        }

        int send(String key, int requests) {
            int ok = 0;
            for (int i = 0; i < requests; i++) {
                if (limiter.tryAcquire(key, TEN_PER_HOUR).allowed()) {
                    ok++;
                }
            }
            admitted += ok;
            return ok;
        }

        void sync() {
            reconciler.sync().block(Duration.ofSeconds(10));
        }
    }

    private String counterKey() {
        Window window = Window.of(TEN_PER_HOUR.per(), clock.getAsLong());
        return RateLimitKeys.counter(RateLimitKeys.shard(keyId, 16), "default", window.startMillis(), keyId);
    }

    /**
     * A count far from its limit (under a tenth) reaches Redis only at the quiet sync, every
     * {@code quiet-sync-interval}: a key that calls now and then costs one push per interval, not
     * one per request. From a tenth of its limit on it is pushed at the next sync, so the others
     * learn of a key near its limit as before.
     */
    @Test
    void aQuietCountWaitsForTheQuietSyncAndACountNearItsLimitDoesNot() {
        RateLimitClass thousand = new RateLimitClass("default", 1000, Duration.ofHours(1));
        clock.set(System.currentTimeMillis() / 3_600_000 * 3_600_000 + 60_000); // well inside an hour's window
        Replica a = new Replica();
        Window window = Window.of(thousand.per(), clock.getAsLong());
        String counter = RateLimitKeys.counter(RateLimitKeys.shard(keyId, 16), "default", window.startMillis(), keyId);
        for (int i = 0; i < 99; i++) {
            assertThat(a.limiter.tryAcquire(keyId, thousand).allowed()).isTrue();
        }
        a.sync();
        assertThat(REDIS.hasKey(counter).block())
                .as("99 of 1000: quiet, not pushed yet")
                .isFalse();
        assertThat(a.limiter.pending().quietSize()).isEqualTo(1);

        assertThat(a.limiter.tryAcquire(keyId, thousand).allowed()).isTrue(); // the 100th: a tenth
        a.sync();
        assertThat(REDIS.<String, String>opsForHash()
                        .values(counter)
                        .collectList()
                        .block())
                .as("pushed at the next sync from a tenth of the limit on")
                .containsExactly("100");

        String quietKey = keyId + "_q";
        a.limiter.tryAcquire(quietKey, thousand);
        String quietCounter =
                RateLimitKeys.counter(RateLimitKeys.shard(quietKey, 16), "default", window.startMillis(), quietKey);
        a.sync();
        assertThat(REDIS.hasKey(quietCounter).block()).isFalse();
        clock.advance(Duration.ofSeconds(30)); // the quiet sync interval's default
        a.sync();
        assertThat(REDIS.<String, String>opsForHash()
                        .values(quietCounter)
                        .collectList()
                        .block())
                .as("pushed at the quiet sync")
                .containsExactly("1");
        assertThat(a.limiter.pending().quietSize()).isZero();
    }

    @Test
    void replicasShareTheLimitThroughTheirSyncs() {
        Replica a = new Replica();
        Replica b = new Replica();
        assertThat(a.send(6)).isEqualTo(6);
        a.sync();
        assertThat(b.send(1)).isEqualTo(1);
        b.sync(); // b learns a's 6
        assertThat(b.send(10)).isEqualTo(3); // exactly the limit together
        b.sync();
        assertThat(a.admitted + b.admitted).isEqualTo(10);
        // a has admitted nothing since its last sync, so it has not read b's 4 yet: idle, it learns
        // the others' count at the first sync after it admits again. That is the second stale
        // stretch of the documented bound, at most one sync interval long.
        assertThat(a.send(10)).isEqualTo(4);
        a.sync();
        assertThat(a.send(10)).isZero();
        assertThat(b.send(10)).isZero();
        Map<String, String> fields = RedisSupport.redis().commands().hgetall(counterKey());
        assertThat(fields)
                .containsOnly(Map.entry(a.reconciler.replicaId(), "10"), Map.entry(b.reconciler.replicaId(), "4"));
    }

    @Test
    void withoutAnySyncEachReplicaStillStopsAtTheLimit() {
        List<Replica> replicas = List.of(new Replica(), new Replica(), new Replica());
        for (Replica replica : replicas) {
            assertThat(replica.send(100)).isEqualTo(10); // N x L at most: the bound when Redis is out of reach
        }
        replicas.forEach(Replica::sync);
        replicas.forEach(Replica::sync);
        for (Replica replica : replicas) {
            assertThat(replica.send(100)).isZero();
        }
    }

    @Test
    void overshootIsAtMostWhatTheReplicasAdmitBetweenTwoOfTheirSyncs() {
        // Each round, every replica gets r requests, then all sync one after the other (so the first
        // to sync always reads the others' counts of the round before: the worst order).
        for (int r = 1; r <= 6; r++) {
            List<Replica> replicas = List.of(new Replica(), new Replica(), new Replica());
            String key = keyIdFor(r);
            int total = 0;
            for (int round = 0; round < 20; round++) {
                for (Replica replica : replicas) {
                    total += replica.send(key, r);
                }
                replicas.forEach(Replica::sync);
            }
            // Documented bound: L + sum over replicas of min(L, 2 R_i), R_i = requests per sync interval.
            long bound = Math.min(3 * 10, 10 + 3 * Math.min(10, 2 * r));
            assertThat(total).as("r=%d", r).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo((int) bound);
            for (Replica replica : replicas) {
                assertThat(replica.admitted).isLessThanOrEqualTo(10);
            }
        }
    }

    @Test
    void anOutageIsLoggedOnceAndItsEndOnceAndTheCountsArriveAfterIt() throws InterruptedException {
        Logger log = (Logger) LoggerFactory.getLogger(RateLimitReconciler.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        Level configured = log.getLevel();
        log.setLevel(Level.INFO); // the recovery is logged at INFO; the tests' logging shows WARN and up
        LettuceConnectionFactory impatient = connect(Duration.ofMillis(100));
        try {
            Replica a = new Replica(new ReactiveStringRedisTemplate(impatient));
            a.send(1);
            a.sync(); // connected, and the script is known
            RedisSupport.redis().commands().clientPause(600); // Redis stops answering for 600 ms
            long pausedAt = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                assertThat(a.send(1)).isEqualTo(1); // limiting goes on locally
                a.sync(); // each times out after 100 ms
            }
            Thread.sleep(Math.max(
                    0, 700 - Duration.ofNanos(System.nanoTime() - pausedAt).toMillis()));
            a.sync();
            a.sync();
            assertThat(RedisSupport.redis().commands().hget(counterKey(), a.reconciler.replicaId()))
                    .isEqualTo("4");
            assertThat(a.reconciler.failing()).isFalse();
            List<String> messages = logged.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN || e.getLevel() == Level.INFO)
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage())
                    .toList();
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0)).startsWith("WARN rate-limit sync with Redis failed");
            assertThat(messages.get(1)).isEqualTo("INFO rate-limit sync with Redis recovered");
        } finally {
            log.detachAppender(logged);
            log.setLevel(configured);
            impatient.destroy();
        }
    }

    private String keyIdFor(int r) {
        return keyId + "_" + r;
    }

    @Test
    void theScriptKeepsOneAbsoluteCountPerReplicaSoARetriedPushIsNotCountedTwice() {
        String key = counterKey();
        String expireAt = Long.toString(System.currentTimeMillis() + 60_000);
        assertThat(runScript(key, "replica-a", "4", expireAt)).isEqualTo("0");
        assertThat(runScript(key, "replica-a", "4", expireAt)).isEqualTo("0"); // the same push, retried
        assertThat(runScript(key, "replica-a", "3", expireAt)).isEqualTo("0"); // an older push arriving late
        assertThat(runScript(key, "replica-b", "1", expireAt)).isEqualTo("4");
        assertThat(runScript(key, "replica-a", "5", expireAt)).isEqualTo("1");
        assertThat(RedisSupport.redis().commands().hgetall(key))
                .containsOnly(Map.entry("replica-a", "5"), Map.entry("replica-b", "1"));
    }

    private static String runScript(String key, String replica, String count, String expireAt) {
        return RedisSupport.redis()
                .commands()
                .eval(
                        RateLimitReconciler.SYNC.getScriptAsString(),
                        ScriptOutputType.VALUE,
                        new String[] {key},
                        replica,
                        count,
                        expireAt);
    }

    @Test
    void aRestartedReplicasEarlierAdmissionsStillCount() {
        Replica before = new Replica();
        before.send(7);
        before.sync();
        Replica after = new Replica(); // same host, new process: new replica id
        after.send(1);
        after.sync();
        assertThat(after.send(100)).isEqualTo(2);
    }

    @Test
    void countersExpireAfterTheirWindow() {
        Replica a = new Replica();
        a.send(1);
        a.sync();
        long ttl = RedisSupport.redis().commands().pttl(counterKey());
        long windowEnd = Window.of(TEN_PER_HOUR.per(), clock.getAsLong()).endMillis();
        assertThat(ttl)
                .isPositive()
                .isLessThanOrEqualTo(windowEnd + RateLimitKeys.EXPIRY_GRACE_MILLIS - clock.getAsLong());
    }

    @Test
    void oneSyncIsOneScriptCallPerShardWhateverTheNumberOfKeys() {
        Replica a = new Replica();
        List<String> keysOfShardZero = new ArrayList<>();
        for (int i = 0; keysOfShardZero.size() < 50; i++) {
            String candidate = keyId + "_s" + i;
            if (RateLimitKeys.shard(candidate, 16) == 0) {
                keysOfShardZero.add(candidate);
            }
        }
        try (RedisMonitor monitor = new RedisMonitor()) {
            for (String key : keysOfShardZero) {
                for (int i = 0; i < 3; i++) {
                    a.limiter.tryAcquire(key, TEN_PER_HOUR);
                }
            }
            a.sync();
            List<String> commands = monitor.clientCommandsSoFar().stream()
                    .filter(command -> command.contains(a.reconciler.replicaId()))
                    .toList();
            assertThat(commands).hasSize(1);
            assertThat(commands.get(0)).startsWith("\"eval\"");
        }
    }
}
