package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Two gateway replicas sharing one real Redis: revocation reaches the other replica's cache
 * within a second, a reconnect drops what might have been missed, last-used keeps the newest
 * time, and a warm key costs no Redis command. Command counts come from the server itself
 * ({@code INFO commandstats}).
 */
class MultiReplicaIT {

    private static final Duration FLUSH = Duration.ofMillis(500);
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance a;
    private static GatewayInstance b;

    @BeforeAll
    static void start() {
        Map<String, Object> properties = Map.of("gateway.usage.flush-interval", FLUSH.toMillis() + "ms");
        a = GatewayInstance.start(UPSTREAM, properties);
        b = GatewayInstance.start(UPSTREAM, properties);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        UPSTREAM.close();
    }

    @Test
    void keyRevokedThroughOneReplicaIsRejectedByTheOtherWithinOneSecond() {
        Key key = newKey(a, "read_only");
        credits(b, key).expectStatus().isOk().expectBody(Void.class); // b has it cached now
        a.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", key.account, key.id)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        Instant revoked = Instant.now();
        int status;
        do {
            status = status(credits(b, key));
        } while (status == 200 && Instant.now().isBefore(revoked.plusSeconds(1)));
        assertThat(status).isEqualTo(401);
        assertThat(Duration.between(revoked, Instant.now())).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void keyCreatedThroughOneReplicaReplacesTheOthersNegativeEntry() {
        String account = unique("acct");
        // b caches a well-formed key as unknown ...
        String secret = "pp_live_sk_" + UUID.randomUUID().toString().replace("-", "");
        b.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", secret)
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody(Void.class);
        // ... then a fresh key is created on a; b must know it at once, not after the negative age.
        Key key = newKey(a, account, "read_only");
        Instant created = Instant.now();
        int status;
        do {
            status = status(credits(b, key));
        } while (status != 200 && Instant.now().isBefore(created.plusSeconds(1)));
        assertThat(status).isEqualTo(200);
    }

    @Test
    void warmKeyCostsNoRedisCommand() {
        Key key = newKey(a, "read_only");
        credits(a, key).expectStatus().isOk().expectBody(Void.class); // warm the cache
        try (RedisMonitor monitor = new RedisMonitor()) {
            for (int i = 0; i < 50; i++) {
                credits(a, key).expectStatus().isOk().expectBody(Void.class);
            }
            // Usage flushes and rate-limit syncs (scripts, sent with EVAL) run on their own schedules,
            // never on the request path.
            assertThat(monitor.clientCommandsSoFar()).allMatch(command -> command.startsWith("\"eval\""));
        }
    }

    @Test
    void floodOfRevokedKeysCostsOneLookupPerDistinctKey() {
        // Revoked keys carry a valid tag, so they are looked up (a forged key is not: ForgedKeysIT);
        // each one once, then the negative entry answers.
        String account = unique("acct");
        List<String> revoked = java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> {
                    Key key = newKey(a, account, "read_only");
                    a.admin()
                            .delete()
                            .uri("/admin/v1/accounts/{a}/keys/{k}", account, key.id())
                            .exchange()
                            .expectStatus()
                            .isNoContent()
                            .expectBody()
                            .isEmpty();
                    return key.secret();
                })
                .toList();
        try (RedisMonitor monitor = new RedisMonitor()) {
            for (int round = 0; round < 5; round++) {
                for (String secret : revoked) {
                    a.client()
                            .get()
                            .uri("/api/v1/account/credits")
                            .header("x-api-key", secret)
                            .exchange()
                            .expectStatus()
                            .isUnauthorized()
                            .expectBody()
                            .returnResult();
                }
            }
            List<String> lookups = monitor.clientCommandsSoFar().stream()
                    .filter(command -> command.startsWith("\"hgetall\" \"ppgw:key:"))
                    .toList();
            assertThat(lookups).hasSize(revoked.size());
            for (String secret : revoked) {
                assertThat(lookups)
                        .filteredOn(command -> command.contains(ApiKeys.hash(secret)))
                        .hasSize(1);
            }
        }
    }

    @Test
    void burstOnOneKeyCostsAtMostOneWritePerFlushInterval() {
        Key key = newKey(a, "read_only");
        String hash = ApiKeys.hash(key.secret);
        try (RedisMonitor monitor = new RedisMonitor()) {
            Instant start = Instant.now();
            for (int i = 0; i < 300; i++) {
                credits(a, key).expectStatus().isOk().expectBody(Void.class);
            }
            awaitLastUsed(a, key);
            Duration elapsed = Duration.between(start, Instant.now());
            long writes = monitor.clientCommandsSoFar().stream()
                    .filter(command -> command.startsWith("\"eval\"") && command.contains(hash))
                    .count();
            long intervals = elapsed.toMillis() / FLUSH.toMillis() + 1;
            assertThat(writes)
                    .isGreaterThanOrEqualTo(1)
                    .isLessThanOrEqualTo(intervals)
                    .isLessThan(300);
        }
    }

    @Test
    void keyUsedOnBothReplicasShowsTheNewestLastUsedTime() {
        Key key = newKey(a, "full_access");
        credits(a, key).expectStatus().isOk().expectBody(Void.class);
        Instant firstFlushed = awaitLastUsed(a, key);
        Instant later = Instant.now();
        credits(b, key).expectStatus().isOk().expectBody(Void.class);
        Instant deadline = Instant.now().plusSeconds(10);
        Instant shown;
        do {
            shown = lastUsed(a, key);
        } while ((shown == null || shown.isBefore(later.truncatedTo(java.time.temporal.ChronoUnit.MINUTES)))
                && Instant.now().isBefore(deadline));
        // kept to the minute (docs/redis-schema.md): the newest use's minute
        assertThat(shown).isAfterOrEqualTo(later.truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
    }

    @Test
    void revocationMissedDuringADisconnectIsHonouredAfterTheReconnect() {
        Key key = newKey(a, "read_only");
        credits(b, key).expectStatus().isOk().expectBody(Void.class);
        // The record disappears without any message: as if b had missed the invalidation.
        RedisSupport.redis().commands().del("ppgw:key:{" + ApiKeys.hash(key.secret) + "}");
        credits(b, key).expectStatus().isOk().expectBody(Void.class); // b still trusts its cache
        RedisSupport.redis().commands().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
        Instant killed = Instant.now();
        int status;
        do {
            status = status(credits(b, key));
        } while (status == 200 && Instant.now().isBefore(killed.plusSeconds(5)));
        assertThat(status).isEqualTo(401);
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Key(String account, String id, String secret) {}

    private static Key newKey(GatewayInstance instance, String preset) {
        return newKey(instance, unique("acct"), preset);
    }

    @SuppressWarnings("unchecked")
    private static Key newKey(GatewayInstance instance, String account, String preset) {
        Map<String, Object> created = instance.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "replica test", "preset", preset))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new Key(account, (String) created.get("id"), (String) created.get("key"));
    }

    private static WebTestClient.ResponseSpec credits(GatewayInstance instance, Key key) {
        return instance.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key.secret)
                .exchange();
    }

    /** The status, with the body consumed so the connection goes back to the pool. */
    private static int status(WebTestClient.ResponseSpec response) {
        return response.expectBody().returnResult().getStatus().value();
    }

    @SuppressWarnings("unchecked")
    private static Instant lastUsed(GatewayInstance instance, Key key) {
        Map<String, Object> body = instance.admin()
                .get()
                .uri("/admin/v1/accounts/{a}/keys", key.account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        List<Map<String, Object>> keys = (List<Map<String, Object>>) body.get("data");
        Object at = keys.get(0).get("last_used_at");
        return at == null ? null : Instant.parse((String) at);
    }

    private static Instant awaitLastUsed(GatewayInstance instance, Key key) {
        Instant deadline = Instant.now().plusSeconds(10);
        Instant at;
        while ((at = lastUsed(instance, key)) == null && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        assertThat(at).as("last_used_at reported within 10 s").isNotNull();
        return at;
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
