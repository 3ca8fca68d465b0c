package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * {@code gateway.admin.max-key-lifetime}: a key given no end ends that long after its creation (its
 * successor from a roll too); one asked to live longer is refused and nothing is created. Without
 * the setting (every other test) keys may live until revoked. {@code gateway.admin.expired-key-retention}:
 * an expired key is listed until its end lies the retention in the past, then nothing of it is left.
 */
class KeyLifetimeSettingsIT {

    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(
                UPSTREAM, Map.of("gateway.admin.max-key-lifetime", "30d", "gateway.admin.expired-key-retention", "2s"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
    }

    @Test
    void aKeyWithoutAnEndGetsTheLongestLifetimeAndNoneLivesLonger() {
        String account = "acct_maxlife_" + System.nanoTime();
        Instant before = Instant.now();
        EntityExchangeResult<Map> created = create(account, Map.of("name", "k", "preset", "read_only"));
        assertThat(created.getStatus().value()).isEqualTo(201);
        Instant end = Instant.parse((String) created.getResponseBody().get("expires_at"));
        assertThat(end)
                .isBetween(
                        before.plus(Duration.ofDays(30)).minusMillis(1),
                        Instant.now().plus(Duration.ofDays(30)));

        EntityExchangeResult<Map> tooLong =
                create(account, Map.of("name", "k", "preset", "read_only", "expires_in", "31d"));
        assertThat(tooLong.getStatus().value()).isEqualTo(400);
        assertThat(tooLong.getResponseBody().toString()).contains("at most 30d").contains("max-key-lifetime");
        EntityExchangeResult<Map> within =
                create(account, Map.of("name", "k", "preset", "read_only", "expires_in", "29d"));
        assertThat(within.getStatus().value()).isEqualTo(201);

        @SuppressWarnings("unchecked")
        Map<String, Object> rolled = gateway.admin()
                .post()
                .uri(
                        "/admin/v1/accounts/{a}/keys/{k}/roll",
                        account,
                        created.getResponseBody().get("id"))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("expire_previous_in", "24h"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        assertThat(Instant.parse((String) rolled.get("expires_at"))).isAfter(end);
    }

    @Test
    void anExpiredKeyIsListedThroughItsRetentionThenNothingOfItIsLeft() throws InterruptedException {
        String account = "acct_retained_" + System.nanoTime();
        EntityExchangeResult<Map> created =
                create(account, Map.of("name", "k", "preset", "read_only", "expires_in", "1s"));
        String id = (String) created.getResponseBody().get("id");
        String hash = ApiKeys.hash((String) created.getResponseBody().get("key"));
        Instant end = Instant.parse((String) created.getResponseBody().get("expires_at"));
        RedisCommands<String, String> redis = RedisSupport.redis().commands();
        assertThat(redis.pttl(RedisSchema.keyRecord(hash)))
                .as("Redis deletes the record by itself at its end + the retention")
                .isBetween(1L, 3_000L);

        Thread.sleep(Math.max(0, end.toEpochMilli() - System.currentTimeMillis()) + 200);
        assertThat(listed(account)).singleElement().satisfies(k -> assertThat(k).containsEntry("status", "expired"));

        Thread.sleep(2_200);
        assertThat(listed(account)).isEmpty();
        assertThat(redis.exists(
                        RedisSchema.keyRecord(hash), RedisSchema.keyIdAccount(id), RedisSchema.accountKeyInfo(account)))
                .isZero();
        assertThat(redis.hexists(RedisSchema.accountKeys(account), id)).isFalse();
        assertThat(redis.sismember(RedisSchema.secretKeys(GatewayTestBase.KEY_SECRET_ID), hash))
                .isFalse();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listed(String account) {
        return (List<Map<String, Object>>) gateway.admin()
                .get()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody()
                .get("data");
    }

    private static EntityExchangeResult<Map> create(String account, Map<String, Object> body) {
        return gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectBody(Map.class)
                .returnResult();
    }
}
