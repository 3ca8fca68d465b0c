package ai.powerpost.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Failed key attempts are throttled per client address; a working key is not locked out by
 * someone else's failures, and nobody stays locked out past the window. The load balancer in
 * front (127.0.0.1 here) is a trusted proxy, so clients are told apart by X-Forwarded-For.
 */
class BruteForceIT {

    private static final int MAX_FAILURES = 5;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(
                UPSTREAM,
                Map.of(
                        "gateway.auth.max-failures", MAX_FAILURES,
                        "gateway.auth.failure-window", "3s",
                        "gateway.edge.trusted-proxies", "127.0.0.1/32"));
    }

    /**
     * Failure windows are aligned to the epoch (the same on every replica): a test's failures must
     * not straddle a window's end, or they would be counted in two windows.
     */
    @BeforeEach
    void awayFromAWindowEnd() throws InterruptedException {
        long window = 3_000;
        long intoWindow = System.currentTimeMillis() % window;
        if (intoWindow > window - 1_500) {
            Thread.sleep(window - intoWindow + 50);
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
    }

    @Test
    void forgedAndRevokedKeysCountAsFailuresAlike() {
        // A forged key is refused without a look-up, a revoked one after it: one count for both.
        String attacker = "198.51.100.23";
        String account = "acct_bf_" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < MAX_FAILURES; i++) {
            String key = i % 2 == 0 ? randomKey() : revokedKey(account);
            call(attacker, key, "/api/v1/account/credits")
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody()
                    .returnResult();
        }
        call(
                        attacker,
                        "pp_live_sk_"
                                + ai.powerpost.gateway.auth.ApiKeys.randomBase62(new java.security.SecureRandom(), 40),
                        "/api/v1/account/credits")
                .expectStatus()
                .isEqualTo(429)
                .expectBody()
                .returnResult();
    }

    @SuppressWarnings("unchecked")
    private static String revokedKey(String account) {
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "revoked", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        gateway.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", account, created.get("id"))
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        return (String) created.get("key");
    }

    @Test
    void failuresFromOneAddressAreThrottledWith429AndNeverLookedUpOrProxied() {
        String attacker = "198.51.100.7";
        for (int i = 0; i < MAX_FAILURES; i++) {
            call(attacker, randomKey(), "/api/v1/account/credits")
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody()
                    .returnResult();
        }
        String marker = UUID.randomUUID().toString();
        call(attacker, randomKey(), "/api/v1/account/credits?m=" + marker)
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .exists("Retry-After")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("RATE_LIMIT_EXCEEDED")
                .jsonPath("$.error.retryAfter")
                .value(seconds -> assertThat(((Number) seconds).intValue()).isBetween(1, 3));
        // another address behind the same proxy is not affected
        call("198.51.100.8", randomKey(), "/api/v1/account/credits")
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .returnResult();
        assertThat(UPSTREAM.receivedUnder("/api/v1/account/credits?m=" + marker))
                .isEmpty();
    }

    @Test
    void aWorkingKeyIsNotLockedOutBySomeoneElsesFailuresBehindTheSameNat() {
        String nat = "203.0.113.9";
        String secret = createKey();
        call(nat, secret, "/api/v1/account/credits")
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
        for (int i = 0; i < MAX_FAILURES + 3; i++) {
            call(nat, randomKey(), "/api/v1/account/credits").expectBody().returnResult();
        }
        call(nat, randomKey(), "/api/v1/account/credits")
                .expectStatus()
                .isEqualTo(429)
                .expectBody()
                .returnResult();
        call(nat, secret, "/api/v1/account/credits")
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
    }

    @Test
    void theLockOutEndsWithTheWindow() {
        String address = "192.0.2.44";
        for (int i = 0; i < MAX_FAILURES; i++) {
            call(address, randomKey(), "/api/v1/account/credits").expectBody().returnResult();
        }
        String fresh = createKey(); // valid, but not yet known to the cache: locked out for now
        call(address, fresh, "/api/v1/account/credits")
                .expectStatus()
                .isEqualTo(429)
                .expectBody()
                .returnResult();
        Instant deadline = Instant.now().plusSeconds(6);
        int status;
        do {
            status = call(address, fresh, "/api/v1/account/credits")
                    .expectBody()
                    .returnResult()
                    .getStatus()
                    .value();
        } while (status == 429 && Instant.now().isBefore(deadline));
        assertThat(status).isEqualTo(200);
    }

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() {
        // 127.0.0.1 is trusted here; the chain's right-most untrusted hop is the client, so a
        // client cannot escape its bucket by prepending addresses.
        String client = "198.51.100.99";
        for (int i = 0; i < MAX_FAILURES; i++) {
            gateway.client()
                    .get()
                    .uri("/api/v1/account/credits")
                    .header("X-Forwarded-For", "10.9.9." + i + ", " + client)
                    .header("x-api-key", randomKey())
                    .exchange()
                    .expectBody()
                    .returnResult();
        }
        gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("X-Forwarded-For", "10.1.1.1, " + client)
                .header("x-api-key", randomKey())
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectBody()
                .returnResult();
    }

    private static WebTestClient.ResponseSpec call(String clientAddress, String key, String uri) {
        return gateway.client()
                .get()
                .uri(uri)
                .header("X-Forwarded-For", clientAddress)
                .header("x-api-key", key)
                .exchange();
    }

    private static String randomKey() {
        return "pp_live_sk_" + UUID.randomUUID().toString().replace("-", "");
    }

    @SuppressWarnings("unchecked")
    private static String createKey() {
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", "acct_bf_" + System.nanoTime())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "bf", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (String) created.get("key");
    }
}
