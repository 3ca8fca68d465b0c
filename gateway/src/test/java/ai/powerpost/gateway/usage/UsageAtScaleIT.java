package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Many keys, each used several times, through the recorders and the real Redis server: a flush
 * costs one script call per shard touched, not per key, and the commands run inside the scripts
 * stay within a fixed number per key (last-used: none for a minute this replica wrote already).
 * Commands inside scripts are counted from the server's own statistics ({@code INFO commandstats}),
 * script calls from what the clients sent ({@link RedisMonitor}).
 */
class UsageAtScaleIT {

    private static final int KEYS = 2_000;
    private static final int USES = 3;
    private static final long MINUTE = LastUsedRecorder.MINUTE;

    private final LettuceConnectionFactory connections = connect();
    private final ReactiveStringRedisTemplate redis = new ReactiveStringRedisTemplate(connections);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final UsageProperties properties = new UsageProperties(Duration.ofHours(1), 100_000);
    private final BatchGroups groups = BatchGroups.of(redis);
    private final AtomicLong now = new AtomicLong(System.currentTimeMillis());

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

    private LastUsedRecorder replica() {
        return new LastUsedRecorder(redis, properties, meters, groups, now::get);
    }

    private static String newHash() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    private static List<String> keyRecords(int count) {
        List<String> hashes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String hash = newHash();
            RedisSupport.redis().commands().hset(RedisSchema.keyRecord(hash), Map.of("id", "key_" + i));
            hashes.add(hash);
        }
        return hashes;
    }

    /** The test's own commands, not the flush's: its look-ups, the monitor, a new connection's handshake. */
    private static final List<String> NOT_THE_FLUSH =
            List.of("cmdstat_info:", "cmdstat_echo:", "cmdstat_monitor:", "cmdstat_hello:", "cmdstat_client");

    /** Commands the server ran so far, those inside scripts included (the test's own excluded). */
    private static long commandsRun() {
        long total = 0;
        for (String line : RedisSupport.redis().commands().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_") && NOT_THE_FLUSH.stream().noneMatch(line::startsWith)) {
                int at = line.indexOf("calls=") + "calls=".length();
                total += Long.parseLong(line.substring(at, line.indexOf(',', at)));
            }
        }
        return total;
    }

    /** A flush's cost: script calls the client sent, and every command the server ran for it. */
    private record Cost(long scriptCalls, long commands) {}

    private static Cost measure(Runnable flush) {
        long before = commandsRun();
        try (RedisMonitor monitor = new RedisMonitor()) {
            flush.run();
            List<String> sent = monitor.clientCommandsSoFar();
            long calls = sent.stream().filter(c -> c.startsWith("\"eval\"")).count();
            return new Cost(calls, commandsRun() - before);
        }
    }

    @Test
    void lastUsedCostsOneScriptCallPerShardAndTwoCommandsPerKeyAndMinuteAndNothingForAMinuteWrittenAlready() {
        List<String> hashes = keyRecords(KEYS);
        LastUsedRecorder recorder = replica();
        long minute = now.get() / MINUTE * MINUTE;
        Set<Integer> shards = new HashSet<>();
        for (String hash : hashes) {
            shards.add(groups.of(RedisSchema.keyRecord(hash)));
            for (int use = 0; use < USES; use++) {
                recorder.record(hash, use % 2 == 0 ? Scope.POSTS_READ : Scope.ACCOUNT_READ, minute + 1000 * use);
            }
        }
        Cost first = measure(() -> recorder.flush().block(Duration.ofSeconds(30)));
        System.out.printf(
                "last-used, %d keys x %d uses: %d script calls, %d commands (%.4f calls, %.3f commands per use)%n",
                KEYS,
                USES,
                first.scriptCalls(),
                first.commands(),
                (double) first.scriptCalls() / (KEYS * USES),
                (double) first.commands() / (KEYS * USES));
        assertThat(shards).hasSize(BatchGroups.SHARDS);
        assertThat(first.scriptCalls()).as("one call per shard touched").isEqualTo(shards.size());
        assertThat(first.commands())
                .as("the calls, then per key one HMGET and one HSET")
                .isEqualTo(first.scriptCalls() + 2L * KEYS);
        assertThat(RedisSupport.redis()
                        .commands()
                        .hmget(
                                RedisSchema.keyRecord(hashes.get(7)),
                                "last_used_at",
                                "su:posts:read",
                                "su:account:read"))
                .extracting(kv -> kv.getValue())
                .as("kept to the minute")
                .containsExactly(Long.toString(minute), Long.toString(minute), Long.toString(minute));

        for (String hash : hashes) {
            recorder.record(hash, Scope.POSTS_READ, minute + 30_000);
        }
        Cost again = measure(() -> recorder.flush().block(Duration.ofSeconds(30)));
        assertThat(again).as("a minute this replica wrote needs no write").isEqualTo(new Cost(0, 0));

        now.addAndGet(MINUTE);
        for (String hash : hashes) {
            for (int use = 0; use < USES; use++) {
                recorder.record(hash, Scope.POSTS_READ, minute + MINUTE + 1000 * use);
            }
        }
        Cost next = measure(() -> recorder.flush().block(Duration.ofSeconds(30)));
        assertThat(next.scriptCalls()).isEqualTo(shards.size());
        assertThat(next.commands()).isEqualTo(next.scriptCalls() + 2L * KEYS);
        assertThat(RedisSupport.redis()
                        .commands()
                        .hmget(
                                RedisSchema.keyRecord(hashes.get(7)),
                                "last_used_at",
                                "su:posts:read",
                                "su:account:read"))
                .extracting(kv -> kv.getValue())
                .containsExactly(Long.toString(minute + MINUTE), Long.toString(minute + MINUTE), Long.toString(minute));
        assertThat(recorder.pendingKeys()).isZero();
    }

    @Test
    void acrossTwoReplicasTheNewestMinuteWinsPerFieldAndNeverMovesBack() {
        String hash = keyRecords(1).get(0);
        String record = RedisSchema.keyRecord(hash);
        LastUsedRecorder a = replica();
        LastUsedRecorder b = replica();
        long minute = now.get() / MINUTE * MINUTE;
        a.record(hash, Scope.POSTS_READ, minute + 5_000);
        b.record(hash, Scope.POSTS_READ, minute - MINUTE + 59_000); // b's use was a minute earlier
        b.record(hash, Scope.POSTS_WRITE, minute - MINUTE + 59_500);
        a.flush().block(Duration.ofSeconds(10));
        b.flush().block(Duration.ofSeconds(10)); // flushed last, older: loses where a's is newer
        assertThat(RedisSupport.redis().commands().hmget(record, "last_used_at", "su:posts:read", "su:posts:write"))
                .extracting(kv -> kv.getValue())
                .containsExactly(Long.toString(minute), Long.toString(minute), Long.toString(minute - MINUTE));

        now.addAndGet(2 * MINUTE);
        b.record(hash, Scope.POSTS_WRITE, minute + 2 * MINUTE + 1);
        b.flush().block(Duration.ofSeconds(10));
        a.record(hash, Scope.POSTS_WRITE, minute + MINUTE + 1); // a late flush of an older minute
        a.flush().block(Duration.ofSeconds(10));
        assertThat(RedisSupport.redis().commands().hmget(record, "last_used_at", "su:posts:read", "su:posts:write"))
                .extracting(kv -> kv.getValue())
                .containsExactly(
                        Long.toString(minute + 2 * MINUTE), Long.toString(minute), Long.toString(minute + 2 * MINUTE));
    }

    @Test
    void aRevokedKeysRecordIsNotRecreatedByALaterMinutesWrite() {
        String hash = keyRecords(1).get(0);
        String record = RedisSchema.keyRecord(hash);
        LastUsedRecorder recorder = replica();
        long minute = now.get() / MINUTE * MINUTE;
        recorder.record(hash, Scope.POSTS_READ, minute);
        recorder.flush().block(Duration.ofSeconds(10));
        RedisSupport.redis().commands().del(record); // revoked meanwhile
        now.addAndGet(MINUTE);
        recorder.record(hash, Scope.POSTS_READ, minute + MINUTE);
        recorder.flush().block(Duration.ofSeconds(10));
        assertThat(RedisSupport.redis().commands().exists(record)).isZero();
        assertThat(recorder.pendingKeys()).as("answered: nothing left to write").isZero();
    }

    @Test
    void usageCountsCostOneScriptCallPerShardAndAFixedNumberOfCommandsPerKey() {
        Clock clock = Clock.systemUTC();
        KeyUsageRecorder recorder =
                new KeyUsageRecorder(redis, properties, new UsageStore(redis, meters, clock), replica(), meters, clock);
        List<KeyRecord> keys = new ArrayList<>(KEYS);
        Set<Integer> shards = new HashSet<>();
        for (int i = 0; i < KEYS; i++) {
            String id = "key_" + UUID.randomUUID().toString().replace("-", "");
            keys.add(new KeyRecord("h" + id, id, "acct_scale", Set.of(Scope.ACCOUNT_READ)));
            shards.add(groups.of(UsageKeys.meta(id)));
        }
        Runnable traffic = () -> {
            long at = System.currentTimeMillis();
            for (KeyRecord key : keys) {
                for (int use = 0; use < USES; use++) {
                    recorder.record(key, "account-credits", 200, "198.51.100." + (use + 1), at);
                }
            }
        };
        traffic.run();
        Cost first = measure(() -> recorder.flush().block(Duration.ofSeconds(60)));
        traffic.run();
        Cost steady = measure(() -> recorder.flush().block(Duration.ofSeconds(60)));
        System.out.printf(
                "usage counts, %d keys x %d uses: first flush %d script calls, %d commands;"
                        + " next flush %d script calls, %d commands (%.1f per key)%n",
                KEYS,
                USES,
                first.scriptCalls(),
                first.commands(),
                steady.scriptCalls(),
                steady.commands(),
                (double) (steady.commands() - steady.scriptCalls()) / KEYS);
        // one key and hour per key (two only for a flush across the turn of an hour)
        assertThat(first.scriptCalls()).isBetween((long) shards.size(), 2L * shards.size());
        assertThat(steady.scriptCalls()).isBetween((long) shards.size(), 2L * shards.size());
        // steady, one route, one network: HINCRBY route and total, HMGET and HSET of the day, HINCRBY of
        // the day's networks, HSET of the last-seen times, HINCRBY of the hours, HMGET of the meta
        assertThat(steady.commands() - steady.scriptCalls()).isLessThanOrEqualTo(8L * KEYS + 8L * KEYS / 10);
        assertThat(first.commands() - first.scriptCalls()).isLessThanOrEqualTo(25L * KEYS);
        assertThat(meters.counter("gateway.usage.counts.failures").count()).isZero();
        String id = keys.get(0).id();
        assertThat(RedisSupport.redis().commands().keys("ppgw:usage:{" + id + "}:*"))
                .as("expiries are set when a hash is created, not on every write: every one has one")
                .hasSize(7)
                .allSatisfy(name -> assertThat(RedisSupport.redis().commands().pttl(name))
                        .as(name)
                        .isPositive());
    }

    @Test
    void aKeyWithThousandsOfNetworksInOneFlushIsWrittenWhole() {
        // 10,002 fields of the day's hash: more than Lua's unpack takes at once (about 8,000)
        Clock clock = Clock.systemUTC();
        UsageProperties many = new UsageProperties(
                Duration.ofHours(1), 1000, 1000, 6000, Duration.ofDays(14), 10, 100, 7, Duration.ofMinutes(1));
        KeyUsageRecorder recorder =
                new KeyUsageRecorder(redis, many, new UsageStore(redis, meters, clock), replica(), meters, clock);
        String id = "key_" + UUID.randomUUID().toString().replace("-", "");
        KeyRecord key = new KeyRecord("h" + id, id, "acct_scale", Set.of(Scope.ACCOUNT_READ));
        long at = System.currentTimeMillis();
        for (int i = 0; i < 5000; i++) {
            recorder.record(key, "account-credits", 200, "10." + (i / 256) + "." + (i % 256) + ".1", at);
        }
        recorder.flush().block(Duration.ofSeconds(60));
        assertThat(meters.counter("gateway.usage.counts.failures").count()).isZero();
        String day = UsageRules.day(at);
        assertThat(RedisSupport.redis().commands().hlen(UsageKeys.dayNetworks(id, day)))
                .isEqualTo(5000);
        assertThat(RedisSupport.redis().commands().hlen(UsageKeys.networksSeen(id)))
                .isEqualTo(5000);
        // the day's hash: one route, one status class, first and last of each network
        assertThat(RedisSupport.redis().commands().hlen(UsageKeys.day(id, day))).isEqualTo(2 + 2 * 5000);
    }

    @Test
    void aKeyWhoseUsageNameHoldsNoHashFailsAloneAndTheOthersOfItsCallAreWritten() {
        Clock clock = Clock.systemUTC();
        KeyUsageRecorder recorder =
                new KeyUsageRecorder(redis, properties, new UsageStore(redis, meters, clock), replica(), meters, clock);
        long at = System.currentTimeMillis();
        List<KeyRecord> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String id = "key_" + UUID.randomUUID().toString().replace("-", "");
            keys.add(new KeyRecord("h" + id, id, "acct_scale", Set.of(Scope.ACCOUNT_READ)));
        }
        RedisSupport.redis().commands().set(UsageKeys.meta(keys.get(0).id()), "not a hash");
        for (KeyRecord key : keys) {
            recorder.record(key, "account-credits", 200, "198.51.100.1", at);
        }
        recorder.flush().block(Duration.ofSeconds(30));
        assertThat(meters.counter("gateway.usage.counts.failures").count()).isEqualTo(1);
        for (KeyRecord key : keys.subList(1, keys.size())) {
            assertThat(RedisSupport.redis()
                            .commands()
                            .hget(UsageKeys.hours(key.id()), Long.toString(at / UsageRules.HOUR)))
                    .isEqualTo("1");
        }
    }
}
