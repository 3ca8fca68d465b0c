package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;

@GatewayIntegrationTest
class ApiKeyAuthIT extends GatewayTestBase {

    private static final String INVALID_BODY =
            "{\"error\":{\"code\":\"INVALID_API_KEY\",\"message\":\"Invalid API key\"}}";

    @Test
    void createdKeyAuthenticatesAtOnceThroughXApiKey() {
        Tenant tenant = tenant("full_access");
        String post = unique("post");
        client.get()
                .uri("/api/v1/posts/" + post)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        assertThat(UPSTREAM.receivedUnder("/api/v1/posts/" + post)).hasSize(1);
    }

    @Test
    void bearerSchemeIsCaseInsensitive() {
        Tenant tenant = tenant("read_only");
        for (String scheme : List.of("Bearer", "bearer", "BEARER")) {
            client.get()
                    .uri("/api/v1/account/credits")
                    .header("Authorization", scheme + " " + tenant.key().key())
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Void.class);
        }
    }

    @Test
    void missingKeyIs401WithWwwAuthenticateAndNeverReachesUpstream() {
        String post = unique("post");
        client.get()
                .uri("/api/v1/posts/" + post)
                .header("X-Workspace-Id", "ws_x")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .valueEquals("WWW-Authenticate", "Bearer realm=\"powerpost\"")
                .expectHeader()
                .contentType("application/json")
                .expectBody()
                .json("{\"error\":{\"code\":\"INVALID_API_KEY\",\"message\":\"Missing API key\"}}", true);
        assertThat(UPSTREAM.receivedUnder("/api/v1/posts/" + post)).isEmpty();
    }

    @Test
    void malformedUnknownAndRevokedKeysGetTheSameAnswer() {
        Tenant tenant = tenant("full_access");
        revoke(tenant.key());
        String unknown = "pp_live_sk_" + "A".repeat(40);
        for (String key :
                List.of("not-a-key", "pp_live_sk_short", unknown, tenant.key().key())) {
            client.get()
                    .uri("/api/v1/account/credits")
                    .header("x-api-key", key)
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectHeader()
                    .valueEquals("WWW-Authenticate", "Bearer realm=\"powerpost\"")
                    .expectBody()
                    .json(INVALID_BODY, true);
        }
    }

    @Test
    void malformedKeyCostsNoRedisCall() {
        // MONITOR, not the server's command counts: the replica's background flushes (usage per
        // key, last-used times) run HGETALL inside their scripts at any moment
        try (RedisMonitor monitor = new RedisMonitor()) {
            client.get()
                    .uri("/api/v1/account/credits")
                    .header("x-api-key", "pp_live_sk_has-a-dash-in-it-0000")
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody(Void.class);
            assertThat(monitor.clientCommandsSoFar())
                    .as("no key record is looked up")
                    .noneMatch(command -> command.startsWith("\"hgetall\" \"ppgw:key:"));
        }
    }

    @Test
    void revokedKeyIsRejectedByTheNextRequest() {
        Tenant tenant = tenant("read_only");
        WebTestClient.RequestHeadersSpec<?> call = client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", tenant.key().key());
        call.exchange().expectStatus().isOk().expectBody(Void.class);
        revoke(tenant.key());
        call.exchange().expectStatus().isUnauthorized().expectBody().json(INVALID_BODY, true);
    }

    @Test
    void twoDifferentKeysInBothHeadersAreRejected() {
        Tenant a = tenant("full_access");
        Tenant b = tenant("full_access");
        client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", a.key().key())
                .header("Authorization", "Bearer " + b.key().key())
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody(Void.class);
        client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", a.key().key())
                .header("Authorization", "Bearer " + a.key().key())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
    }

    @Test
    void keysAreStoredInRedisOnlyAsHashes() {
        Tenant tenant = tenant("full_access");
        String secret = tenant.key().key();
        String hash = ApiKeys.hash(secret);
        var redis = RedisSupport.redis().commands();
        List<String> names = redis.keys("ppgw:*");
        assertThat(names).noneMatch(name -> name.contains(secret));
        assertThat(names).contains("ppgw:key:{" + hash + "}");
        Map<String, String> record = redis.hgetall("ppgw:key:{" + hash + "}");
        assertThat(record.values()).noneMatch(value -> value.contains(secret));
        assertThat(record)
                .containsEntry("account_id", tenant.accountId())
                .containsEntry("id", tenant.key().id());
    }

    @Test
    void legacyReadDraftRecordMapsToDraftOnlyScopes() {
        String account = unique("acct");
        String workspace = unique("ws");
        addWorkspace(account, workspace);
        String secret = "pp_live_sk_" + unique("legacy").replace("_", "") + "0000";
        writeUntaggedKey(
                secret,
                Map.of(
                        "id",
                        unique("key"),
                        "account_id",
                        account,
                        "name",
                        "legacy",
                        "type",
                        "read_draft",
                        "created_at",
                        "1700000000000"));
        client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", secret)
                .header("X-Workspace-Id", workspace)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        client.post()
                .uri("/api/v1/posts/p1/publish")
                .header("x-api-key", secret)
                .header("X-Workspace-Id", workspace)
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.error.required_scope")
                .isEqualTo("posts:publish");
    }
}
