package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.TestClients;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Two replicas sharing one real Redis, the second with the bootstrap token retired
 * ({@code gateway.admin.root-token-enabled=false}): an operator revoked through one is refused by
 * the other within a second; the retired token is refused while operators work; failed admin
 * authentications are throttled per client address.
 */
class OperatorsAcrossReplicasIT {

    private static final int MAX_FAILURES = 3;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance a;
    private static GatewayInstance b;

    @BeforeAll
    static void start() {
        Map<String, Object> common = Map.of(
                "gateway.auth.max-failures",
                MAX_FAILURES,
                // clients told apart by X-Forwarded-For, so this test's failures are its own
                "gateway.edge.trusted-proxies",
                "127.0.0.1/32");
        a = GatewayInstance.start(UPSTREAM, common);
        Map<String, Object> retired = new java.util.HashMap<>(common);
        retired.put("gateway.admin.root-token-enabled", false);
        b = GatewayInstance.start(UPSTREAM, retired);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        UPSTREAM.close();
    }

    @Test
    void anOperatorRevokedThroughOneReplicaIsRefusedByTheOtherWithinOneSecond() {
        Map<String, Object> operator = createOperator(a, "operator");
        String token = (String) operator.get("token");
        assertThat(listKeys(b, token, address())).isEqualTo(200);

        a.admin()
                .delete()
                .uri("/admin/v1/operators/{id}", operator.get("id"))
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        Instant revoked = Instant.now();
        int status;
        do {
            status = listKeys(b, token, address());
        } while (status == 200 && Instant.now().isBefore(revoked.plusSeconds(1)));
        assertThat(status).isEqualTo(401);
        assertThat(Duration.between(revoked, Instant.now())).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void theRetiredBootstrapTokenIsRefusedWhileNamedOperatorsWork() {
        String address = address();
        assertThat(listKeys(b, GatewayTestBase.ADMIN_TOKEN, address)).isEqualTo(401);
        assertThat(listKeys(a, GatewayTestBase.ADMIN_TOKEN, address)).isEqualTo(200);
        String admin = (String) createOperator(a, "admin").get("token");
        // the operator made through a manages operators on b, where root no longer works
        TestClients.to(b.managementPort())
                .post()
                .uri("/admin/v1/operators")
                .header("Authorization", "Bearer " + admin)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "made on b", "role", "viewer"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Void.class);
    }

    @Test
    void failedAdminAuthenticationsAreThrottledPerClientAddress() {
        String address = address();
        for (int i = 0; i < MAX_FAILURES; i++) {
            assertThat(listKeys(a, "ppgw_op_" + "x".repeat(43), address)).isEqualTo(401);
        }
        TestClients.to(a.managementPort())
                .get()
                .uri("/admin/v1/accounts/a/keys")
                .header("Authorization", "Bearer wrong")
                .header("X-Forwarded-For", address)
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .exists("Retry-After")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("RATE_LIMIT_EXCEEDED");
        // the right token too: a right guess cannot be told from a wrong one while throttled
        assertThat(listKeys(a, GatewayTestBase.ADMIN_TOKEN, address)).isEqualTo(429);
        // another address is not affected
        assertThat(listKeys(a, GatewayTestBase.ADMIN_TOKEN, address())).isEqualTo(200);
    }

    // --- helpers -------------------------------------------------------------------------------

    /** A fresh client address (TEST-NET-2), so no other test's failures count against it. */
    private static String address() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "198.51." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> createOperator(GatewayInstance gateway, String role) {
        return gateway.admin()
                .post()
                .uri("/admin/v1/operators")
                .header("X-Forwarded-For", address())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "replica " + role, "role", role))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
    }

    private static int listKeys(GatewayInstance gateway, String token, String address) {
        WebTestClient client = TestClients.to(gateway.managementPort());
        return client.get()
                .uri("/admin/v1/accounts/acct_replicas/keys")
                .header("Authorization", "Bearer " + token)
                .header("X-Forwarded-For", address)
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }
}
