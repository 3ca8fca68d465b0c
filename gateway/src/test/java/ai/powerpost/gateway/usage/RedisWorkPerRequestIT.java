package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

/**
 * The Redis work of warm keys, end to end through an in-JVM gateway: many keys, each used a few
 * times, once every key was seen (cached, its minute of last use written). Every command the
 * server ran is counted per command from its own statistics (inside scripts included), so the
 * background writes of last use, usage counts and the rate-limit sync are all in it. The flushes
 * of last use and counts are run by the test (their intervals are an hour); the rate-limit sync
 * runs on its own 100 ms schedule, and pushes a count far from its limit only at the quiet sync
 * (every 30 s), so keys used now and then cost it nothing during the traffic. The figures are printed.
 */
class RedisWorkPerRequestIT {

    private static final int KEYS = 200;
    private static final int ROUNDS = 3;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {};
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(
                UPSTREAM,
                Map.of(
                        "gateway.usage.flush-interval", "1h",
                        "gateway.usage.counts-flush-interval", "1h",
                        "gateway.edge.trusted-proxies", "127.0.0.1/32"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
    }

    private static String newKey() {
        String account = "acct_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "scale", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(MAP)
                .returnResult()
                .getResponseBody();
        return (String) created.get("key");
    }

    private static void use(String secret, int i) {
        gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", secret)
                .header("X-Forwarded-For", "198.51.100." + (i % 200 + 1))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
    }

    /** Calls per command since the server started (the test's own look-ups excluded). */
    private static Map<String, Long> commandStats() {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : RedisSupport.redis().commands().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                int at = line.indexOf("calls=") + "calls=".length();
                calls.put(name, Long.parseLong(line.substring(at, line.indexOf(',', at))));
            }
        }
        return calls;
    }

    private static void settle() {
        LockSupport.parkNanos(Duration.ofMillis(500).toNanos()); // the 100 ms rate-limit sync catches up
    }

    @Test
    void warmKeysCostTheirLastUseNothingWithinAMinuteAndTheirCountsOneCallPerShard() {
        List<String> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add(newKey());
        }
        LastUsedRecorder lastUsed = gateway.bean(LastUsedRecorder.class);
        KeyUsageRecorder counts = gateway.bean(KeyUsageRecorder.class);
        for (int i = 0; i < KEYS; i++) {
            use(keys.get(i), i); // every key seen: cached, its minute written, its usage hashes made
        }
        lastUsed.flush().block(Duration.ofSeconds(30));
        counts.flush().block(Duration.ofSeconds(30));
        settle();

        long minute = System.currentTimeMillis() / LastUsedRecorder.MINUTE;
        Map<String, Long> before = commandStats();
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < KEYS; i++) {
                use(keys.get(i), i);
            }
        }
        settle();
        Map<String, Long> traffic = delta(before, commandStats());
        lastUsed.flush().block(Duration.ofSeconds(30));
        Map<String, Long> afterLastUsed = commandStats();
        Map<String, Long> lastUsedCost = delta(before, afterLastUsed);
        lastUsedCost.replaceAll((name, calls) -> calls - traffic.getOrDefault(name, 0L));
        counts.flush().block(Duration.ofSeconds(30));
        Map<String, Long> countsCost = delta(afterLastUsed, commandStats());
        boolean sameMinute = System.currentTimeMillis() / LastUsedRecorder.MINUTE == minute;

        int requests = KEYS * ROUNDS;
        System.out.printf(
                "%d warm keys x %d requests: during the traffic (rate-limit sync and request path) %s;"
                        + " last-used flush %s; counts flush %s%n",
                KEYS, ROUNDS, traffic, lastUsedCost, countsCost);
        System.out.printf(
                "per request: traffic %.2f commands, %.3f script calls; last-used %.2f; counts %.2f (%.1f per key)%n",
                total(traffic) / (double) requests,
                traffic.getOrDefault("eval", 0L) / (double) requests,
                total(lastUsedCost) / (double) requests,
                total(countsCost) / (double) requests,
                total(countsCost) / (double) KEYS);

        if (sameMinute) {
            assertThat(total(lastUsedCost))
                    .as("a minute written already needs no write")
                    .isZero();
        }
        assertThat(countsCost.getOrDefault("eval", 0L))
                .as("one call per shard, not per key")
                .isLessThanOrEqualTo(2L * BatchGroups.SHARDS);
        assertThat(total(countsCost) - countsCost.getOrDefault("eval", 0L))
                .as("8 commands per key and hour")
                .isLessThanOrEqualTo(8L * KEYS * 2);
        // the rate-limit sync: these keys are far from their limits (quiet counts), so none was pushed
        // during the traffic, which lasted less than the quiet sync interval (before quiet counts: an
        // HGETALL and an HSET per request)
        assertThat(total(traffic))
                .as("no command per request during the traffic")
                .isLessThan(requests / 10);
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((name, calls) -> {
            long added = calls - before.getOrDefault(name, 0L);
            if (added != 0) {
                delta.put(name, added);
            }
        });
        return delta;
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }
}
