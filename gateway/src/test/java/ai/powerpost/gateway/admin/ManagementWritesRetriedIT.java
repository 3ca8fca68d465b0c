package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.DisconnectingProxy;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The key management API while the gateway's line to a real Redis server is cut
 * ({@link DisconnectingProxy}: every connection closed, new ones refused for {@value #BLIP_MILLIS}
 * ms, a blip shorter than the retries' reach): revocation, workspace grant and workspace removal
 * get their normal answer and take effect; a key is created exactly once; and a key whose claim
 * ran but whose reply was lost is neither refused nor made twice.
 */
class ManagementWritesRetriedIT {

    private static final long BLIP_MILLIS = 300;
    private static final int MAX_KEYS = 3;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static DisconnectingProxy proxy;
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        proxy = new DisconnectingProxy(RedisSupport.redis().port());
        gateway = GatewayInstance.start(
                UPSTREAM,
                Map.of(
                        "spring.data.redis.url",
                        proxy.url(),
                        "spring.data.redis.timeout",
                        "2s",
                        "gateway.admin.max-keys-per-account",
                        MAX_KEYS));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        proxy.close();
        UPSTREAM.close();
    }

    @Test
    void revocationSentWhileTheRedisConnectionIsCutSucceedsAndTakesEffect() {
        String account = unique("acct");
        Key key = create(account);
        assertThat(status(credits(key))).isEqualTo(200);

        proxy.cut(BLIP_MILLIS);
        Instant sent = Instant.now();
        int answer = revoke(key);
        Duration took = Duration.between(sent, Instant.now());

        assertThat(answer)
                .as("revocation during a %d ms blip (took %s)", BLIP_MILLIS, took)
                .isEqualTo(204);
        assertThat(took).isLessThan(Duration.ofSeconds(3));
        assertThat(redis().exists(RedisSchema.keyRecord(ApiKeys.hash(key.secret()))))
                .isZero();
        assertThat(redis().hexists(RedisSchema.accountKeys(account), key.id())).isFalse();
        assertThat(status(credits(key))).as("the revoked key").isEqualTo(401);
    }

    @Test
    void workspaceGrantAndRemovalSentWhileTheRedisConnectionIsCutSucceed() {
        String account = unique("acct");
        String workspace = unique("ws");
        proxy.cut(BLIP_MILLIS);
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, workspace)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        assertThat(redis().sismember(RedisSchema.accountWorkspaces(account), workspace))
                .isTrue();

        proxy.cut(BLIP_MILLIS);
        gateway.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, workspace)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        assertThat(redis().sismember(RedisSchema.accountWorkspaces(account), workspace))
                .isFalse();
    }

    @Test
    void keyCreatedWhileTheRedisConnectionIsCutIsCreatedExactlyOnce() {
        String account = unique("acct");
        proxy.cut(BLIP_MILLIS);
        Key key = create(account);

        assertThat(redis().hgetall(RedisSchema.accountKeys(account)))
                .as("the account's index: one key, the one answered")
                .containsOnlyKeys(key.id())
                .containsEntry(key.id(), ApiKeys.hash(key.secret()));
        assertThat(status(credits(key))).isEqualTo(200);
    }

    @Test
    void keyWhoseClaimRanButWhoseReplyWasLostIsCreatedOnceAndNotRefused() {
        String account = unique("acct");
        for (int i = 0; i < MAX_KEYS - 1; i++) {
            create(account);
        }
        // The account has one place left. The claim script runs, takes it, and its reply is lost
        // with the connection: run again as it was, the script would find the account full (409
        // for a key that holds a place); the whole creation run again would make a second key.
        proxy.cutAfterForwarding(BLIP_MILLIS, "EVAL", "HKEYS", RedisSchema.accountKeys(account));
        Key key = create(account);
        assertThat(proxy.armed())
                .as("the claim's connection was cut after it ran")
                .isFalse();

        Map<String, String> index = redis().hgetall(RedisSchema.accountKeys(account));
        assertThat(index)
                .as("the account's index")
                .hasSize(MAX_KEYS)
                .containsEntry(key.id(), ApiKeys.hash(key.secret()));
        assertThat(redis().keys("ppgw:key:*"))
                .as("records of the account's keys")
                .filteredOn(record -> account.equals(redis().hget(record, RedisSchema.ACCOUNT_ID)))
                .hasSize(MAX_KEYS);
        assertThat(status(credits(key))).isEqualTo(200);
    }

    @Test
    void anAuditAppendWhoseReplyWasLostMakesOneEntryAndTheChangeIsMadeOnce() {
        // The audit entry is appended, and the reply is lost with the connection: appended again as
        // it was, the entry would be there twice. The append's nonce makes the retry find the first.
        String account = unique("acct");
        String workspace = unique("ws");
        String requestId = "lost-reply-" + UUID.randomUUID();
        proxy.cutAfterForwarding(BLIP_MILLIS, "EVAL", RedisSchema.AUDIT, requestId);
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, workspace)
                .header("X-Request-Id", requestId)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        assertThat(proxy.armed())
                .as("the append's connection was cut after it ran")
                .isFalse();
        assertThat(redis().sismember(RedisSchema.accountWorkspaces(account), workspace))
                .isTrue();
        assertThat(redis()
                        .xrevrange(
                                RedisSchema.AUDIT,
                                io.lettuce.core.Range.create("-", "+"),
                                io.lettuce.core.Limit.from(200))
                        .stream()
                        .filter(entry -> requestId.equals(entry.getBody().get("request_id")))
                        .toList())
                .as("entries of the call")
                .singleElement()
                .satisfies(entry -> assertThat(redis().get(RedisSchema.auditOutcome(entry.getId())))
                        .isEqualTo("done"));
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Key(String account, String id, String secret) {}

    private static RedisCommands<String, String> redis() {
        return RedisSupport.redis().commands();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Key create(String account) {
        EntityExchangeResult<Map> result = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "retry", "preset", "read_only"))
                .exchange()
                .expectBody(Map.class)
                .returnResult();
        assertThat(result.getStatus().value())
                .as("key creation: %s", result.getResponseBody())
                .isEqualTo(201);
        Map<String, Object> body = result.getResponseBody();
        return new Key(account, (String) body.get("id"), (String) body.get("key"));
    }

    private static int revoke(Key key) {
        return gateway.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", key.account(), key.id())
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }

    private static WebTestClient.ResponseSpec credits(Key key) {
        return gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key.secret())
                .exchange();
    }

    /** The status, with the body consumed so the connection goes back to the pool. */
    private static int status(WebTestClient.ResponseSpec response) {
        return response.expectBody().returnResult().getStatus().value();
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
