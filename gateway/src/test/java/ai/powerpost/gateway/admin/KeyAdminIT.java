package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RedisSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@GatewayIntegrationTest
class KeyAdminIT extends GatewayTestBase {

    @Test
    void createReturnsTheSecretOnceWithItsScopes() {
        String account = unique("acct");
        admin.post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "ci", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.id")
                .value(id -> assertThat((String) id).startsWith("key_"))
                .jsonPath("$.key")
                .value(key -> assertThat((String) key).matches("pp_live_sk_[A-Za-z0-9]{40}"))
                .jsonPath("$.name")
                .isEqualTo("ci")
                .jsonPath("$.scopes.length()")
                .isEqualTo(7)
                .jsonPath("$.created_at")
                .value(at -> assertThat(Instant.parse((String) at))
                        .isBefore(Instant.now().plusSeconds(1)));
    }

    @Test
    void listNeverShowsTheSecretOrItsHash() {
        String account = unique("acct");
        CreatedKey key = createKey(account, "full_access");
        String body = admin.get()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(body)
                .contains(key.id())
                .doesNotContain(key.key())
                .doesNotContain(ai.powerpost.gateway.auth.ApiKeys.hash(key.key()));
        List<Map<String, Object>> keys = listKeys(account);
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0))
                .containsKeys("id", "name", "scopes", "created_at", "last_used_at")
                .containsEntry("last_used_at", null);
    }

    @Test
    void aRecordTheRequestPathRefusesIsListedAsUnusableAndCanBeRevoked() {
        // One codec for both: a record with a scope PowerPost does not have is no key on the
        // request path, and the list says so instead of showing scopes the key does not have.
        Tenant tenant = tenant("read_only");
        String record = "ppgw:key:{" + ApiKeys.hash(tenant.key().key()) + "}";
        RedisSupport.redis().commands().hset(record, "scopes", "posts:read posts:delete");
        // (never used, so never cached: its first look-up reads the record as it is now)
        CreatedKey healthy = createKey(tenant.accountId(), "read_only");

        client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", tenant.key().key())
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody(Void.class);
        List<Map<String, Object>> keys = listKeys(tenant.accountId());
        assertThat(keys).hasSize(2);
        assertThat(keys)
                .filteredOn(k -> k.get("id").equals(tenant.key().id()))
                .singleElement()
                .satisfies(k -> assertThat(k)
                        .containsEntry("usable", false)
                        .containsEntry("scopes", List.of())
                        .containsEntry("name", null));
        assertThat(keys)
                .filteredOn(k -> k.get("id").equals(healthy.id()))
                .singleElement()
                .satisfies(k -> assertThat(k).containsEntry("usable", true).containsEntry("name", "test read_only"));
        revoke(tenant.key());
        assertThat(listKeys(tenant.accountId())).extracting(k -> k.get("id")).containsExactly(healthy.id());
    }

    @Test
    void eleventhActiveKeyIsRefusedUntilOneIsRevoked() {
        String account = unique("acct");
        CreatedKey first = createKey(account, "read_only");
        for (int i = 1; i < 10; i++) {
            createKey(account, "read_only");
        }
        admin.post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "eleventh", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isEqualTo(409)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("KEY_LIMIT_REACHED");
        assertThat(listKeys(account)).hasSize(10);
        revoke(first);
        createKey(account, "read_only");
        assertThat(listKeys(account)).hasSize(10);
    }

    @Test
    void lastUsedAndScopesUsedAreReportedWithinSeconds() {
        Tenant tenant = tenant("full_access");
        Instant before = Instant.now().minusSeconds(1);
        client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        Map<String, Object> view;
        do {
            view = listKeys(tenant.accountId()).get(0);
        } while (view.get("last_used_at") == null && Instant.now().isBefore(deadline));
        // kept to the minute (docs/redis-schema.md)
        assertThat(Instant.parse((String) view.get("last_used_at")))
                .isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
        @SuppressWarnings("unchecked")
        Map<String, String> used = (Map<String, String>) view.get("scopes_used");
        assertThat(used).containsOnlyKeys("posts:read");
    }

    @Test
    void badCreateRequestsAre400() {
        String account = unique("acct");
        List<Object> bodies = List.of(
                Map.of("name", "x", "preset", "god_mode"),
                Map.of("name", "x", "scopes", List.of("posts:read", "posts:delete")),
                Map.of("name", "x"),
                Map.of("name", "x", "preset", "read_only", "scopes", List.of("posts:read")),
                Map.of("preset", "read_only"),
                Map.of("name", "x", "preset", "read_only", "extra", 1),
                "{not json");
        for (Object body : bodies) {
            admin.post()
                    .uri("/admin/v1/accounts/{a}/keys", account)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectHeader()
                    .contentType("application/json")
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("VALIDATION_ERROR");
        }
        assertThat(listKeys(account)).isEmpty();
    }

    @Test
    void revokingAnUnknownKeyIs404() {
        admin.delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", unique("acct"), "key_nope")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("NOT_FOUND");
    }

    @Test
    void everyCallNeedsTheAdminToken() {
        WebTestClient anonymous = ai.powerpost.gateway.support.TestClients.to(managementPort);
        anonymous
                .get()
                .uri("/admin/v1/accounts/a/keys")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .exists("WWW-Authenticate")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("UNAUTHORIZED");
        anonymous
                .get()
                .uri("/admin/v1/accounts/a/keys")
                .header("Authorization", "Bearer wrong")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody(Void.class);
        anonymous
                .put()
                .uri("/admin/v1/accounts/a/workspaces/w")
                .header("Authorization", "Bearer wrong")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody(Void.class);
    }

    @Test
    void scopesCannotBeChanged() {
        String account = unique("acct");
        CreatedKey key = createKey(account, "read_only");
        admin.patch()
                .uri("/admin/v1/accounts/{a}/keys/{k}", account, key.id())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("scopes", List.of("posts:publish")))
                .exchange()
                .expectStatus()
                .value(status -> assertThat(status).isIn(404, 405))
                .expectBody(Void.class);
        admin.put()
                .uri("/admin/v1/accounts/{a}/keys/{k}", account, key.id())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("scopes", List.of("posts:publish")))
                .exchange()
                .expectStatus()
                .value(status -> assertThat(status).isIn(404, 405))
                .expectBody(Void.class);
        assertThat(listKeys(account).get(0).get("scopes")).asList().hasSize(7);
    }

    @Test
    void healthAndPrometheusAreOnTheManagementPort() {
        WebTestClient management = ai.powerpost.gateway.support.TestClients.to(managementPort);
        Map<?, ?> health = management
                .get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        // Redis, and nothing of Spring Cloud's discovery client, which nothing here uses
        // (spring.cloud.discovery.enabled: false; it answered UNKNOWN "not initialized")
        List<String> components = ((Map<?, ?>) health.get("components"))
                .keySet().stream().map(Object::toString).toList();
        assertThat(components)
                .contains("redis")
                .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).contains("discovery"));
        management
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        management
                .get()
                .uri("/actuator/gateway/routes")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(Void.class);
        management
                .get()
                .uri("/actuator/env")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(Void.class);
    }
}
