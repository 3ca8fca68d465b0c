package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisMonitor;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One gateway, real HTTP and the real Redis, with {@code default: 10 per hour}: the limit, the
 * 429 and its headers, the headers over the upstream's, what spends no quota, and no Redis
 * command on the request path for a warm key.
 */
class RateLimitIT {

    static final int LIMIT = 10;
    static final Duration SYNC = Duration.ofMillis(100);

    private static final RecordingUpstream UNUSED = new RecordingUpstream();
    private static final UpstreamWithItsOwnLimits UPSTREAM = new UpstreamWithItsOwnLimits();
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(
                UNUSED,
                Map.of(
                        "gateway.routes.file", TestRoutesFile.withDefaultClass(LIMIT, "1h"),
                        "GATEWAY_UPSTREAM_POWERPOST", UPSTREAM.uri(),
                        "gateway.rate-limit.sync-interval", SYNC.toMillis() + "ms"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
        UNUSED.close();
    }

    @BeforeEach
    void notAtTheEndOfAWindow() throws InterruptedException {
        awayFromAWindowEnd(Duration.ofHours(1));
    }

    @Test
    void theEleventhRequestIs429WithHeadersAndNeverReachesTheUpstream() {
        Key key = newKey(gateway, "read_only");
        long reset = windowEndSeconds(Duration.ofHours(1));
        for (int i = 1; i <= LIMIT; i++) {
            EntityExchangeResult<byte[]> ok =
                    credits(gateway, key).expectStatus().isOk().expectBody().returnResult();
            HttpHeaders headers = ok.getResponseHeaders();
            assertThat(headers.get("X-RateLimit-Limit"))
                    .as("ours, not the upstream's")
                    .containsExactly("10");
            assertThat(headers.get("X-RateLimit-Remaining")).containsExactly(Integer.toString(LIMIT - i));
            assertThat(headers.get("X-RateLimit-Reset")).containsExactly(Long.toString(reset));
        }
        EntityExchangeResult<byte[]> refused = credits(gateway, key)
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .contentType(MediaType.APPLICATION_JSON)
                .expectBody()
                .returnResult();
        HttpHeaders headers = refused.getResponseHeaders();
        long retryAfter = Long.parseLong(headers.getFirst(HttpHeaders.RETRY_AFTER));
        assertThat(retryAfter).isBetween(1L, 3600L);
        assertThat(Math.abs(Instant.now().getEpochSecond() + retryAfter - reset))
                .isLessThanOrEqualTo(2);
        assertThat(new String(refused.getResponseBodyContent()))
                .isEqualTo(
                        "{\"error\":{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":\"Rate limit exceeded\",\"retryAfter\":"
                                + retryAfter + "}}");
        assertThat(headers.get("X-RateLimit-Limit")).containsExactly("10");
        assertThat(headers.get("X-RateLimit-Remaining")).containsExactly("0");
        assertThat(headers.get("X-RateLimit-Reset")).containsExactly(Long.toString(reset));
        assertThat(UPSTREAM.received(key.id)).isEqualTo(LIMIT);
        assertThat(gateway.bean(MeterRegistry.class)
                        .get(RateLimitMeters.REJECTED)
                        .tag(RateLimitMeters.CLASS_TAG, "default")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void requestsRefusedBeforeTheLimitCheckSpendNoQuota() {
        Key key = newKey(gateway, "read_only");
        String otherWorkspace =
                "ws_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        for (int i = 0; i < 5; i++) {
            assertNoRateLimitHeaders(gateway.client()
                    .get()
                    .uri("/api/v1/account/credits")
                    .header("x-api-key", "pp_live_sk_" + "Z".repeat(40))
                    .exchange()
                    .expectStatus()
                    .isUnauthorized());
            assertNoRateLimitHeaders(gateway.client()
                    .post()
                    .uri("/api/v1/posts") // needs posts:write
                    .header("x-api-key", key.secret)
                    .header("X-Workspace-Id", key.workspace)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{}")
                    .exchange()
                    .expectStatus()
                    .isForbidden());
            assertNoRateLimitHeaders(gateway.client()
                    .get()
                    .uri("/api/v1/posts/p1") // no workspace header
                    .header("x-api-key", key.secret)
                    .exchange()
                    .expectStatus()
                    .isBadRequest());
            assertNoRateLimitHeaders(gateway.client()
                    .get()
                    .uri("/api/v1/posts/p1") // not its workspace
                    .header("x-api-key", key.secret)
                    .header("X-Workspace-Id", otherWorkspace)
                    .exchange()
                    .expectStatus()
                    .isForbidden());
            assertNoRateLimitHeaders(gateway.client()
                    .get()
                    .uri("/api/v1/nowhere")
                    .header("x-api-key", key.secret)
                    .exchange()
                    .expectStatus()
                    .isNotFound());
        }
        assertThat(UPSTREAM.received(key.id)).isZero();
        for (int i = 1; i <= LIMIT; i++) {
            credits(gateway, key)
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .valueEquals("X-RateLimit-Remaining", Integer.toString(LIMIT - i))
                    .expectBody()
                    .returnResult();
        }
        credits(gateway, key).expectStatus().isEqualTo(429).expectBody().returnResult();
        assertThat(UPSTREAM.received(key.id)).isEqualTo(LIMIT);
    }

    @Test
    void aRouteWithoutAClassIsNotLimited() {
        Key key = newKey(gateway, "read_only");
        for (int i = 0; i < LIMIT + 5; i++) {
            WebTestClient.ResponseSpec response = gateway.client()
                    .get()
                    .uri("/api/v1/calendar/entries")
                    .header("x-api-key", key.secret)
                    .header("X-Workspace-Id", key.workspace)
                    .exchange()
                    .expectStatus()
                    .isOk();
            response.expectHeader()
                    .valueEquals("X-RateLimit-Limit", UpstreamWithItsOwnLimits.UPSTREAM_LIMIT)
                    .expectBody()
                    .returnResult();
        }
        credits(gateway, key)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("X-RateLimit-Remaining", Integer.toString(LIMIT - 1))
                .expectBody()
                .returnResult();
    }

    @Test
    void aWarmKeyCostsNoRedisCommandOnTheRequestPath() throws InterruptedException {
        Key key = newKey(gateway, "read_only");
        credits(gateway, key).expectStatus().isOk().expectBody().returnResult(); // warms the key cache
        Thread.sleep(3 * SYNC.toMillis()); // and its first sync
        // The key's creation was announced on the invalidation channel; on a busy machine this
        // replica can receive its own announcement after the first request filled the cache, and
        // evicts the entry (as it must: it cannot tell). Warmed again, the cache is settled.
        credits(gateway, key).expectStatus().isOk().expectBody().returnResult();
        try (RedisMonitor monitor = new RedisMonitor()) {
            long start = System.nanoTime();
            for (int i = 0; i < LIMIT + 20; i++) {
                credits(gateway, key).expectBody().returnResult();
            }
            long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            Thread.sleep(3 * SYNC.toMillis()); // let the last sync run
            long observedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            List<String> commands = monitor.clientCommandsSoFar();
            assertThat(commands)
                    .as("only batched scripts: no command per request")
                    .allMatch(command -> command.startsWith("\"eval\""));
            long syncsOfThisKey = commands.stream()
                    .filter(command -> command.contains(":" + key.id.toLowerCase() + "\""))
                    .count();
            assertThat(syncsOfThisKey)
                    .as("%d requests in %d ms", LIMIT + 20, elapsedMillis)
                    .isGreaterThanOrEqualTo(1)
                    .isLessThanOrEqualTo(observedMillis / SYNC.toMillis() + 1)
                    .isLessThan(LIMIT);
        }
    }

    // --- helpers, shared with MultiReplicaRateLimitIT --------------------------------------------

    record Key(String account, String workspace, String id, String secret) {}

    @SuppressWarnings("unchecked")
    static Key newKey(GatewayInstance instance, String preset) {
        String account = "acct_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String workspace = "ws_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        instance.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, workspace)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        Map<String, Object> created = instance.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "rate limit test", "preset", preset))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new Key(account, workspace, (String) created.get("id"), (String) created.get("key"));
    }

    static WebTestClient.ResponseSpec credits(GatewayInstance instance, Key key) {
        return instance.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key.secret)
                .exchange();
    }

    private static void assertNoRateLimitHeaders(WebTestClient.ResponseSpec response) {
        HttpHeaders headers = response.expectBody().returnResult().getResponseHeaders();
        assertThat(headers.containsHeader("X-RateLimit-Limit")).isFalse();
        assertThat(headers.containsHeader("X-RateLimit-Remaining")).isFalse();
    }

    static long windowEndSeconds(Duration per) {
        return Window.of(per, System.currentTimeMillis()).resetEpochSeconds();
    }

    /** Waits for the next window when the current one ends within 30 s, so no test straddles two windows. */
    static void awayFromAWindowEnd(Duration per) throws InterruptedException {
        long now = System.currentTimeMillis();
        long end = Window.of(per, now).endMillis();
        if (end - now < 30_000) {
            Thread.sleep(end - now + 50);
        }
    }
}
