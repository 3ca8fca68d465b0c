package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisMonitor;
import ch.qos.logback.classic.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * The rotation procedure of docs/security.md, step by step, against real replicas: mint under A;
 * add B and make it the minting secret (keys of both work); the gateway reports how many live
 * keys each secret tagged; once A is retired, a key it tagged is refused locally, with no Redis
 * command.
 */
class KeySecretRotationIT {

    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    /** Fresh ids per run: their sets in Redis start empty. */
    private static final String A = "a" + suffix();

    private static final String B = "b" + suffix();

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    @AfterAll
    static void stop() {
        UPSTREAM.close();
    }

    private static GatewayInstance gateway(String minting, String... secrets) {
        Map<String, Object> properties = new HashMap<>();
        for (String id : secrets) {
            properties.put("gateway.keys.secrets." + id, base64(id));
        }
        properties.put("gateway.keys.minting-secret", minting);
        return GatewayInstance.start(UPSTREAM, properties);
    }

    private static String base64(String id) {
        return KeyTagsTest.secretText(id);
    }

    @Test
    void keysOfBothSecretsWorkDuringARotationAndARetiredSecretsKeysAreRefusedLocally() {
        String account = "acct_rot_" + suffix();
        String underA1;
        String underA2;
        String underAId1;
        try (GatewayInstance before = gateway(A, A)) {
            Map<String, Object> first = create(before, account);
            underA1 = (String) first.get("key");
            underAId1 = (String) first.get("id");
            underA2 = (String) create(before, account).get("key");
            assertThat(new KeyTags(new KeySecretsProperties(Map.of(A, new KeySecret(base64(A))), A, 1)).verify(underA1))
                    .isEqualTo(A);
            assertThat(secrets(before)).contains(use(A, true, 2));
        }

        String underB;
        try (GatewayInstance during = gateway(B, A, B)) {
            underB = (String) create(during, account).get("key");
            for (String key : List.of(underA1, underA2, underB)) {
                assertThat(credits(during, key)).as("keys of both secrets work").isEqualTo(200);
            }
            assertThat(secrets(during)).contains(use(A, false, 2), use(B, true, 1));

            revoke(during, account, underAId1);
            assertThat(secrets(during))
                    .as("revoking a key of A: A still has one live key, so it is still needed")
                    .contains(use(A, false, 1), use(B, true, 1));
        }

        try (GatewayInstance after = gateway(B, B)) {
            assertThat(credits(after, underB)).isEqualTo(200);
            try (RedisMonitor monitor = new RedisMonitor()) {
                assertThat(credits(after, underA2))
                        .as("a live key of a retired secret is refused (why the report must say 0 first)")
                        .isEqualTo(401);
                String hash = ApiKeys.hash(underA2);
                assertThat(monitor.clientCommandsSoFar())
                        .as("refused locally: no Redis command names it")
                        .noneMatch(command -> command.contains(hash) || command.startsWith("\"hgetall\""));
            }
            assertThat(secrets(after)).contains(use(B, true, 1)).noneMatch(entry -> A.equals(entry.get("id")));
        }
    }

    @Test
    void theManagementApiNeedsAMintingSecret() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("gateway.keys.minting-secret", "");
        // the refused start is reported by Boot (asserted here, kept off the console)
        try (ExpectedLogs report = ExpectedLogs.expect(
                        "org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter", Level.ERROR);
                ExpectedLogs cancelled = ExpectedLogs.expect(
                        "org.springframework.boot.web.server.reactive.context.AnnotationConfigReactiveWebServerApplicationContext",
                        Level.WARN)) {
            assertThatThrownBy(() -> GatewayInstance.start(UPSTREAM, properties))
                    .hasStackTraceContaining("no minting secret is configured (gateway.keys.minting-secret)");
            assertThat(report.messages())
                    .singleElement()
                    .asString()
                    .contains("APPLICATION FAILED TO START", "no minting secret is configured");
        }
    }

    private static Map<String, Object> use(String id, boolean minting, long liveKeys) {
        return Map.of("id", id, "minting", minting, "live_keys", (int) liveKeys);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> secrets(GatewayInstance gateway) {
        Map<String, Object> body = gateway.admin()
                .get()
                .uri("/admin/v1/key-secrets")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        assertThat(body).containsKey("untagged_keys");
        assertThat(body.toString()).doesNotContain(base64(A), base64(B));
        return (List<Map<String, Object>>) body.get("data");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> create(GatewayInstance gateway, String account) {
        return gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "rotation", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
    }

    private static void revoke(GatewayInstance gateway, String account, String keyId) {
        gateway.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", account, keyId)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
    }

    private static int status(org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec response) {
        return response.expectBody().returnResult().getStatus().value();
    }

    private static int credits(GatewayInstance gateway, String key) {
        return status(gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key)
                .exchange());
    }
}
