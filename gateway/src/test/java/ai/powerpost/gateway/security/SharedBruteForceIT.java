package ai.powerpost.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas share the failure counts of an address through the real Redis: failures spread
 * over both are throttled as if they had all hit one (within the documented bound: the limit plus
 * what each replica takes within one sync interval), and the address is never written to Redis as
 * it is, only hashed.
 */
class SharedBruteForceIT {

    private static final int MAX_FAILURES = 10;
    private static final Duration SYNC = Duration.ofMillis(100);
    private static final long WINDOW_MILLIS = 60_000;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance a;
    private static GatewayInstance b;

    @BeforeAll
    static void start() {
        Map<String, Object> properties = Map.of(
                "gateway.auth.max-failures",
                MAX_FAILURES,
                "gateway.auth.failure-window",
                WINDOW_MILLIS + "ms",
                "gateway.auth.failure-sync-interval",
                SYNC.toMillis() + "ms",
                "gateway.edge.trusted-proxies",
                "127.0.0.1/32");
        a = GatewayInstance.start(UPSTREAM, properties);
        b = GatewayInstance.start(UPSTREAM, properties);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        UPSTREAM.close();
    }

    @BeforeEach
    void awayFromAWindowEnd() throws InterruptedException {
        long into = System.currentTimeMillis() % WINDOW_MILLIS;
        if (into > WINDOW_MILLIS - 10_000) {
            Thread.sleep(WINDOW_MILLIS - into + 50);
        }
    }

    private static int fail(GatewayInstance replica, String address) {
        return replica.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("X-Forwarded-For", address)
                .header(
                        "x-api-key",
                        "pp_live_sk_" + UUID.randomUUID().toString().replace("-", ""))
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }

    /** Until the replica has pushed what it counted and the other has learnt it: a few sync intervals. */
    private static void syncs() throws InterruptedException {
        Thread.sleep(4 * SYNC.toMillis());
    }

    @Test
    void failuresSpreadOverTwoReplicasAreThrottledAsIfOnOne() throws InterruptedException {
        String address = "203.0.113." + (10 + (int) (System.nanoTime() % 200));
        for (int i = 0; i < 6; i++) {
            assertThat(fail(a, address)).isEqualTo(401);
        }
        syncs();
        for (int i = 0; i < 4; i++) {
            assertThat(fail(b, address))
                    .as("failure %d on the second replica", i + 7)
                    .isEqualTo(401);
        }
        syncs();
        assertThat(fail(b, address))
                .as("the 11th failure, on the second replica")
                .isEqualTo(429);
        // The first replica learns the others' counts when it next pushes its own: the failure that
        // makes its count for the address change is the last it admits (the bound's F(S) term).
        int admittedMore = 0;
        while (fail(a, address) == 401 && admittedMore < MAX_FAILURES) {
            admittedMore++;
            syncs();
        }
        assertThat(admittedMore)
                .as("failures the first replica admitted before it learnt the second's")
                .isLessThanOrEqualTo(1);
        assertThat(fail(a, address)).isEqualTo(429);

        List<String> counters = RedisSupport.redis().commands().keys("ppgw:bf:*");
        assertThat(counters).isNotEmpty().noneMatch(key -> key.contains(address));
        assertThat(counters.get(0))
                .startsWith(RedisSchema.bruteForceCounter(0, 0, "").substring(0, 12));
    }

    @Test
    void alternatingFailuresStayWithinTheBound() {
        String address = "198.51.100." + (10 + (int) (System.nanoTime() % 200));
        int admitted = 0;
        Instant start = Instant.now();
        for (int i = 0; i < 4 * MAX_FAILURES; i++) {
            if (fail(i % 2 == 0 ? a : b, address) == 401) {
                admitted++;
            }
        }
        long elapsed = Duration.between(start, Instant.now()).toMillis();
        // each replica alone allows MAX_FAILURES; together at most MAX_FAILURES plus what each takes
        // in one sync interval and one sync (failures here take >= 25 ms each: at most a few per interval)
        // (and the failure a replica keeps to itself before it shares: a tenth of the limit, at least 2)
        int perReplicaPerInterval = (int) Math.ceil((SYNC.toMillis() + 100) / 25.0) + 1;
        assertThat(admitted)
                .as("401s (not 429) of %d failures alternating over two replicas in %d ms", 4 * MAX_FAILURES, elapsed)
                .isBetween(MAX_FAILURES, Math.min(2 * MAX_FAILURES, MAX_FAILURES + 2 * perReplicaPerInterval));
    }
}
