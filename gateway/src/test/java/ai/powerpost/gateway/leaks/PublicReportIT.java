package ai.powerpost.gateway.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code POST /secret-scanning/report}: the same answer for a real and a made-up key, the real one
 * revoked and audited as reported, throttling per client address (told apart by
 * {@code X-Forwarded-For} from a trusted proxy, the loopback, as the rest of the gateway does), and
 * both leak endpoints 404 when off.
 */
@GatewayIntegrationTest
@TestPropertySource(
        properties = {
            "gateway.leaks.report.enabled=true",
            "gateway.leaks.report.max-per-address=3",
            "gateway.edge.trusted-proxies=127.0.0.1/32"
        })
class PublicReportIT extends GatewayTestBase {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void aRealAndAMadeUpKeyGetTheSameAnswerAndOnlyTheRealOneIsRevokedAndAudited() {
        Tenant tenant = tenant("read_only");
        String address = address();
        EntityExchangeResult<String> real = report(address, tenant.key().key());
        EntityExchangeResult<String> madeUp = report(address, ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40));
        assertThat(real.getStatus().value()).isEqualTo(202);
        assertThat(madeUp.getStatus().value()).isEqualTo(202);
        assertThat(real.getResponseBody()).isEqualTo(madeUp.getResponseBody()).isEqualTo(ReportEndpoint.ACCEPTED);
        assertThat(real.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        assertThat(headerNames(real)).isEqualTo(headerNames(madeUp));

        Instant deadline = Instant.now().plusSeconds(2);
        while (status(tenant) != 401 && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        assertThat(status(tenant)).isEqualTo(401);
        Map<String, Object> entry = audit(tenant.accountId()).stream()
                .filter(e -> "key.leak_revoke".equals(e.get("action")))
                .findFirst()
                .orElseThrow();
        assertThat(((Map<?, ?>) entry.get("actor")).get("id")).isEqualTo("public-report");
        assertThat(((Map<?, ?>) entry.get("target")).get("key_id"))
                .isEqualTo(tenant.key().id());
        assertThat(entry.get("client")).isEqualTo(address);
        assertThat(entry.get("outcome")).isEqualTo("done");
        assertThat(entry).doesNotContainKey("leak_url");
    }

    @Test
    void reportsAreThrottledPerClientAddress() {
        String address = address();
        for (int i = 0; i < 3; i++) {
            assertThat(report(address, "pp_live_sk_" + ApiKeys.randomBase62(RANDOM, 40))
                            .getStatus()
                            .value())
                    .isEqualTo(202);
        }
        client.post()
                .uri(ReportEndpoint.PATH)
                .header("X-Forwarded-For", address)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"key\":\"pp_live_sk_" + ApiKeys.randomBase62(RANDOM, 40) + "\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .exists("Retry-After")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("RATE_LIMIT_EXCEEDED");
        assertThat(report(address(), "pp_live_sk_" + ApiKeys.randomBase62(RANDOM, 40))
                        .getStatus()
                        .value())
                .as("another address")
                .isEqualTo(202);
    }

    @Test
    void aBodyThatIsNotAReportIs400AndOtherMethodsAre405() {
        for (String body : List.of("", "{}", "{\"key\":1}", "[\"pp_live_sk_x\"]", "not json")) {
            client.post()
                    .uri(ReportEndpoint.PATH)
                    .header("X-Forwarded-For", address())
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("VALIDATION_ERROR");
        }
        client.get()
                .uri(ReportEndpoint.PATH)
                .exchange()
                .expectStatus()
                .isEqualTo(405)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void theGithubEndpointOffHereIs404LikeAnyUnknownPath() {
        assertSameAsUnknownPath(client, GithubEndpoint.PATH);
    }

    @Test
    void withNeitherSwitchedOnBothEndpointsAre404LikeAnyUnknownPath() {
        try (GatewayInstance plain = GatewayInstance.start(UPSTREAM, Map.of())) {
            assertSameAsUnknownPath(plain.client(), GithubEndpoint.PATH);
            assertSameAsUnknownPath(plain.client(), ReportEndpoint.PATH);
        }
    }

    private static void assertSameAsUnknownPath(WebTestClient gateway, String path) {
        EntityExchangeResult<String> unknown = post(gateway, "/secret-scanning/nothing");
        EntityExchangeResult<String> endpoint = post(gateway, path);
        assertThat(endpoint.getStatus().value()).isEqualTo(404);
        assertThat(endpoint.getResponseBody()).isEqualTo(unknown.getResponseBody());
    }

    private static EntityExchangeResult<String> post(WebTestClient gateway, String path) {
        return gateway.post()
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"key\":\"pp_live_sk_" + ApiKeys.randomBase62(RANDOM, 40) + "\"}")
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    private EntityExchangeResult<String> report(String address, String key) {
        return client.post()
                .uri(ReportEndpoint.PATH)
                .header("X-Forwarded-For", address)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"key\":\"" + key + "\"}")
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    /** The response's header names, but the request id's value differs by request. */
    private static List<String> headerNames(EntityExchangeResult<String> result) {
        return result.getResponseHeaders().headerNames().stream().sorted().toList();
    }

    private int status(Tenant tenant) {
        return client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectBody(Void.class)
                .returnResult()
                .getStatus()
                .value();
    }

    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    /** A documentation address (TEST-NET-3) of its own per call. */
    private static String address() {
        return "203.0.113." + (ADDRESSES.incrementAndGet() % 254 + 1);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> audit(String accountId) {
        Map<String, Object> body = admin.get()
                .uri("/admin/v1/audit?account={a}&actor=public-report", accountId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (List<Map<String, Object>>) body.get("data");
    }
}
