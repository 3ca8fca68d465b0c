package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.OwnRedisServer;
import ai.powerpost.gateway.support.RecordingUpstream;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The Redis server process is stopped mid-test and started again: recently validated keys keep
 * working, any other key gets 503 (never 401), the probes stay up while health shows Redis down,
 * and everything recovers by itself.
 */
class RedisOutageIT {

    @Test
    @SuppressWarnings("unchecked")
    void gatewayRidesOutARedisOutageAndRecoversByItself() {
        try (OwnRedisServer redis = new OwnRedisServer();
                RecordingUpstream upstream = new RecordingUpstream()) {
            GatewayInstance gateway = GatewayInstance.start(
                    upstream,
                    Map.of(
                            "spring.data.redis.url", redis.url(),
                            "gateway.keys.max-age", "1s", // force the outage grace path, not the plain cache
                            "gateway.usage.flush-interval", "300ms"));
            try {
                String account = "acct_outage";
                String used = createKey(gateway, account);
                String neverUsed = createKey(gateway, account);
                credits(gateway, used).expectStatus().isOk().expectBody().returnResult();

                redis.stop();
                waitPastCacheAge();
                credits(gateway, used).expectStatus().isOk().expectBody().returnResult();
                credits(gateway, neverUsed)
                        .expectStatus()
                        .isEqualTo(503)
                        .expectHeader()
                        .valueEquals("Retry-After", "5")
                        .expectBody()
                        .jsonPath("$.error.code")
                        .isEqualTo("SERVICE_UNAVAILABLE")
                        .jsonPath("$.error.message")
                        .isEqualTo("The service is temporarily unavailable, try again later");
                credits(gateway, "pp_live_sk_" + UUID.randomUUID().toString().replace("-", ""))
                        .expectStatus()
                        .isEqualTo(503)
                        .expectBody()
                        .returnResult();
                WebTestClient management = gateway.management();
                management
                        .get()
                        .uri("/actuator/health/liveness")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult();
                management
                        .get()
                        .uri("/actuator/health/readiness")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult();
                management
                        .get()
                        .uri("/actuator/health")
                        .exchange()
                        .expectStatus()
                        .isEqualTo(503)
                        .expectBody()
                        .jsonPath("$.components.redis.status")
                        .isEqualTo("DOWN");
                credits(gateway, used).expectStatus().isOk().expectBody().returnResult(); // last-used pending

                redis.start();
                Instant deadline = Instant.now().plusSeconds(15);
                int status;
                do {
                    status = credits(gateway, neverUsed)
                            .expectBody()
                            .returnResult()
                            .getStatus()
                            .value();
                } while (status != 200 && Instant.now().isBefore(deadline));
                assertThat(status)
                        .as("a key never used before works again after recovery")
                        .isEqualTo(200);
                String created = createKey(gateway, account);
                credits(gateway, created).expectStatus().isOk().expectBody().returnResult();
                Map<String, Object> listed;
                do {
                    listed = gateway.admin()
                            .get()
                            .uri("/admin/v1/accounts/{a}/keys", account)
                            .exchange()
                            .expectBody(Map.class)
                            .returnResult()
                            .getResponseBody();
                } while (((java.util.List<Map<String, Object>>) listed.get("data"))
                                .stream().anyMatch(k -> k.get("last_used_at") == null)
                        && Instant.now().isBefore(deadline));
                assertThat((java.util.List<Map<String, Object>>) listed.get("data"))
                        .as("pending last-used times were flushed")
                        .allMatch(k -> k.get("last_used_at") != null);
                gateway.management()
                        .get()
                        .uri("/actuator/health")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult();
            } finally {
                gateway.close();
            }
        }
    }

    private static void waitPastCacheAge() {
        long until = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static WebTestClient.ResponseSpec credits(GatewayInstance gateway, String key) {
        return gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key)
                .exchange();
    }

    @SuppressWarnings("unchecked")
    private static String createKey(GatewayInstance gateway, String account) {
        return (String) gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "o", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody()
                .get("key");
    }
}
