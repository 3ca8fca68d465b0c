package ai.powerpost.gateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSentinelSupport;
import ai.powerpost.gateway.support.RedisSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * Redis behind Sentinel, as production runs it: a primary, a replica and three sentinels, real
 * processes ({@link RedisSentinelSupport}), two gateway replicas configured through
 * {@code spring.data.redis.sentinel.master}/{@code nodes} exactly as README says. Under steady
 * traffic the primary is SIGKILLed (or stalled with {@code DEBUG SLEEP}) and Sentinel promotes the
 * replica. Throughout: warm keys never fail; a key neither replica has seen gets 503 at most while
 * the failover lasts, never 401; afterwards creation and revocation work again within seconds, a
 * revocation reaches the other replica within 1 s, and last-used and rate-limit writes reach the new
 * primary.
 */
class SentinelFailoverIT {

    private static final String CREDITS = "/api/v1/account/credits";

    private RedisSentinelSupport redis;
    private RecordingUpstream upstream;
    private GatewayInstance a;
    private GatewayInstance b;

    @BeforeEach
    void start() {
        redis = RedisSentinelSupport.start();
        upstream = new RecordingUpstream();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.data.redis.sentinel.master", RedisSentinelSupport.MASTER);
        properties.put("spring.data.redis.sentinel.nodes", redis.nodesProperty());
        // GatewayInstance points spring.data.redis.url at the suite's standalone server; with
        // Sentinel set Boot takes only credentials from it. A port where nothing listens: were the
        // standalone configuration used after all, every Redis call would fail.
        properties.put("spring.data.redis.url", "redis://127.0.0.1:" + RedisSupport.freePort());
        properties.put("spring.data.redis.timeout", "2s");
        properties.put("gateway.keys.lookup-timeout", "2s");
        properties.put("gateway.usage.flush-interval", "200ms");
        properties.put("gateway.rate-limit.sync-interval", "200ms");
        a = GatewayInstance.start(upstream, properties);
        b = GatewayInstance.start(upstream, properties);
    }

    @AfterEach
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aPrimaryKilledIsSurvived() {
        survives(() -> redis.killPrimary());
    }

    @Test
    void aPrimaryStalledIsSurvived() {
        survives(() -> redis.stallPrimary(6));
    }

    private void survives(Runnable failure) {
        String account = "acct_sentinel_" + UUID.randomUUID().toString().substring(0, 8);
        Key warm = create(a, account);
        assertThat(credits(a, warm)).isEqualTo(200);
        assertThat(credits(b, warm)).isEqualTo(200);
        Key cold = create(a, account); // used by neither replica before the failure

        ConcurrentLinkedQueue<Integer> warmStatuses = new ConcurrentLinkedQueue<>();
        AtomicBoolean traffic = new AtomicBoolean(true);
        Thread steady = new Thread(() -> {
            while (traffic.get()) {
                warmStatuses.add(credits(a, warm));
                warmStatuses.add(credits(b, warm));
            }
        });
        steady.start();
        try {
            failure.run();
            List<Integer> coldStatuses = new ArrayList<>();
            Instant promoted;
            try {
                promoted = redis.awaitPromotion(Duration.ofSeconds(30));
            } finally {
                coldStatuses.add(credits(a, cold));
            }

            // an uncached key: 503 while the failover lasts, never 401, and 200 within seconds
            int status;
            Instant deadline = promoted.plusSeconds(15);
            do {
                status = credits(a, cold);
                coldStatuses.add(status);
            } while (status != 200 && Instant.now().isBefore(deadline));
            assertThat(coldStatuses)
                    .as("an uncached key during and after the failover")
                    .containsOnly(503, 200);
            assertThat(status).isEqualTo(200);

            // creation works again within seconds of the promotion
            Key created = awaitCreated(a, account, promoted.plusSeconds(15));
            assertThat(credits(b, created)).isEqualTo(200);

            // a revocation right after the promotion reaches the other replica within 1 s
            revoke(a, created);
            Instant revoked = Instant.now();
            int afterRevocation;
            do {
                afterRevocation = credits(b, created);
            } while (afterRevocation == 200 && Instant.now().isBefore(revoked.plusSeconds(1)));
            assertThat(afterRevocation)
                    .as("the other replica after the revocation")
                    .isEqualTo(401);
            assertThat(Duration.between(revoked, Instant.now())).isLessThan(Duration.ofSeconds(1));

            // last-used and rate-limit writes reach the new primary
            var primary = redis.commands(redis.replica().port());
            String record = RedisSchema.keyRecord(ApiKeys.hash(warm.secret()));
            long before = System.currentTimeMillis();
            redis.await(Duration.ofSeconds(10), "a last-used write on the new primary", () -> {
                String lastUsed = primary.hget(record, "last_used_at");
                return lastUsed != null && Long.parseLong(lastUsed) >= before;
            });
            redis.await(
                    Duration.ofSeconds(10),
                    "a rate-limit count on the new primary",
                    () -> !primary.keys("ppgw:rl:*").isEmpty());
        } finally {
            traffic.set(false);
            try {
                steady.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assertThat(warmStatuses)
                .as("a warm key, throughout the failover, on both replicas")
                .isNotEmpty()
                .containsOnly(200);
    }

    private record Key(String account, String id, String secret) {}

    @SuppressWarnings("unchecked")
    private static Key create(GatewayInstance instance, String account) {
        Map<String, Object> created = instance.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "sentinel test", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new Key(account, (String) created.get("id"), (String) created.get("key"));
    }

    @SuppressWarnings("unchecked")
    private static Key awaitCreated(GatewayInstance instance, String account, Instant deadline) {
        while (true) {
            var result = instance.admin()
                    .post()
                    .uri("/admin/v1/accounts/{a}/keys", account)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", "after the failover", "preset", "read_only"))
                    .exchange()
                    .expectBody(Map.class)
                    .returnResult();
            if (result.getStatus().value() == 201) {
                Map<String, Object> created = result.getResponseBody();
                return new Key(account, (String) created.get("id"), (String) created.get("key"));
            }
            assertThat(result.getStatus().value())
                    .as("key creation during the failover")
                    .isEqualTo(503);
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("key creation did not work again by " + deadline);
            }
        }
    }

    private static void revoke(GatewayInstance instance, Key key) {
        instance.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", key.account(), key.id())
                .exchange()
                .expectStatus()
                .isNoContent();
    }

    private static int credits(GatewayInstance instance, Key key) {
        return instance.client()
                .get()
                .uri(CREDITS)
                .header("x-api-key", key.secret())
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }
}
