package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.FreePorts;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.MisbehavingUpstream;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.TestRoutes;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Upstreams that refuse, hang, reset mid-response, answer slowly or fail: the client always gets
 * a prompt JSON answer (502, 504, 503 from an open breaker), a slow answer within the route's
 * timeout gets through, POSTs are never repeated, and the breaker closes again.
 */
class UpstreamFailuresIT {

    private static final MisbehavingUpstream UPSTREAM = new MisbehavingUpstream();
    private static final int DEAD_PORT = FreePorts.unused();
    private static GatewayInstance gateway;
    private static String key;
    private static final String WORKSPACE = "ws_failures";

    @BeforeAll
    static void start() {
        String routes = TestRoutes.write("""
                upstreams:
                  backend:
                    uri: http://127.0.0.1:1
                    response-timeout: 1500ms
                    retries: 2
                    circuit-breaker: { failure-rate: 100, minimum-calls: 1000, open-for: 2s }
                  flaky:
                    uri: http://127.0.0.1:1
                    retries: 0
                    circuit-breaker: { failure-rate: 50, minimum-calls: 4, open-for: 2s }
                  hungup:
                    uri: http://127.0.0.1:1
                    retries: 0
                    circuit-breaker: { failure-rate: 50, minimum-calls: 4, open-for: 30s }
                  dead:
                    uri: http://127.0.0.1:%d
                    connect-timeout: 500ms
                    retries: 2
                    circuit-breaker: { failure-rate: 100, minimum-calls: 1000, open-for: 2s }
                routes:
                  - { id: post-get, method: GET, path: "/api/v1/posts/{id}", scope: posts:read, upstream: backend }
                  - { id: post-publish, method: POST, path: "/api/v1/posts/{id}/publish", scope: posts:publish, upstream: backend }
                  - { id: slow-get, method: GET, path: "/api/v1/content/generations/{id}", scope: content:read,
                      upstream: backend, response-timeout: 5s }
                  - { id: flaky-get, method: GET, path: "/api/v1/calendar/entries/{id}", scope: calendar:read, upstream: flaky }
                  - { id: hungup-get, method: GET, path: "/api/v1/images/{id}", scope: images:read, upstream: hungup }
                  - { id: dead-get, method: GET, path: "/api/v1/account/credits", scope: account:read, workspace: false, upstream: dead }
                  - { id: dead-post, method: POST, path: "/api/v1/posts", scope: posts:write, upstream: dead }
                """.formatted(DEAD_PORT));
        gateway = GatewayInstance.start(
                new RecordingUpstream(),
                Map.of(
                        "gateway.routes.file", routes,
                        "GATEWAY_UPSTREAM_BACKEND", UPSTREAM.uri(),
                        "GATEWAY_UPSTREAM_FLAKY", UPSTREAM.uri(),
                        "GATEWAY_UPSTREAM_HUNGUP", UPSTREAM.uri()));
        String account = "acct_failures_" + System.nanoTime();
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, WORKSPACE)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "f", "preset", "full_access"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        key = (String) created.get("key");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
    }

    @Test
    void refusedConnectionIs502BadGatewayAndTheGetIsRetried() {
        get("/api/v1/account/credits")
                .expectStatus()
                .isEqualTo(502)
                .expectHeader()
                .contentType("application/json")
                .expectBody()
                .json(
                        "{\"error\":{\"code\":\"BAD_GATEWAY\",\"message\":\"The upstream service could not be reached\"}}",
                        true);
    }

    @Test
    void refusedPostIs502AndIsNeverRetried() {
        Instant start = Instant.now();
        call(gateway.client().post().uri("/api/v1/posts"))
                .expectStatus()
                .isEqualTo(502)
                .expectBody()
                .returnResult();
        // a retried call would have waited for at least one backoff (50 ms) per retry; the POST fails at once
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void hangingUpstreamIs504WithinTheRouteTimeout() {
        String path = "/api/v1/posts/hang-" + UUID.randomUUID();
        Instant start = Instant.now();
        get(path)
                .expectStatus()
                .isEqualTo(504)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("GATEWAY_TIMEOUT");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(UPSTREAM.received(path)).as("a timeout is not retried").isEqualTo(1);
    }

    @Test
    void slowButInTimeAnswerGetsThrough() {
        // 3 s: longer than Spring Cloud CircuitBreaker's 1 s default time limiter, shorter than the route's 5 s
        get("/api/v1/content/generations/slow3000-" + UUID.randomUUID())
                .expectStatus()
                .isOk()
                .expectBody()
                .json("{\"ok\":true}");
    }

    @Test
    void resetMidResponseNeverHangsTheClient() {
        String path = "/api/v1/posts/reset-" + UUID.randomUUID();
        WebTestClient.ResponseSpec response = get(path);
        // Headers were already sent when the upstream dropped: the client sees a broken response,
        // promptly, never a hang and never a body that claims to be complete.
        Instant start = Instant.now();
        try {
            int status = response.expectBody().returnResult().getStatus().value();
            assertThat(status).isIn(200, 502);
        } catch (RuntimeException truncated) {
            // the connection was cut: that is the expected outcome once the status was sent
        }
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void postIsSentToTheUpstreamExactlyOnceEvenWhenItFails() {
        String id = "fail-" + UUID.randomUUID();
        call(gateway.client().post().uri("/api/v1/posts/" + id + "/publish"))
                .expectStatus()
                .isEqualTo(500)
                .expectBody()
                .returnResult();
        assertThat(UPSTREAM.received("/api/v1/posts/" + id + "/publish")).isEqualTo(1);
    }

    @Test
    void upstream5xxPassesThroughUntouched() {
        get("/api/v1/posts/fail-" + UUID.randomUUID())
                .expectStatus()
                .isEqualTo(500)
                .expectBody()
                .json("{\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":\"upstream broke\"}}", true);
    }

    @Test
    void breakerOpensAnswers503WithoutContactingTheUpstreamThenClosesAgain() {
        // Four failures of four calls open it (minimum-calls 4, failure-rate 50). A call's outcome is
        // recorded when its body has been written, a moment after the client holds the last byte;
        // and seen in CI once, a call's outcome was not recorded at all (its exchange ended as a
        // cancellation, which releases the permission). So: failing calls until the breaker is
        // open, at most twice as many as it needs.
        int failing = 0;
        while (failing < 8 && !breakerIs("flaky", CircuitBreaker.State.OPEN)) {
            get("/api/v1/calendar/entries/fail-" + UUID.randomUUID())
                    .expectStatus()
                    .isEqualTo(500)
                    .expectBody()
                    .returnResult();
            failing++;
            if (failing >= 4) {
                awaitBreaker("flaky", CircuitBreaker.State.OPEN, Duration.ofMillis(500));
            }
        }
        assertThat(breakerIs("flaky", CircuitBreaker.State.OPEN))
                .as("open after %d failing calls", failing)
                .isTrue();
        String probe = "/api/v1/calendar/entries/ok-" + UUID.randomUUID();
        get(probe)
                .expectStatus()
                .isEqualTo(503)
                .expectHeader()
                .valueEquals("Retry-After", "2") // the breaker's open-for
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("SERVICE_UNAVAILABLE")
                .jsonPath("$.error.message")
                .isEqualTo("The upstream service is temporarily unavailable, try again later")
                .jsonPath("$.error.retryAfter")
                .isEqualTo(2);
        assertThat(UPSTREAM.received(probe)).isZero();
        Instant deadline = Instant.now().plusSeconds(6);
        int status;
        do {
            status = get(probe).expectBody().returnResult().getStatus().value();
        } while (status == 503 && Instant.now().isBefore(deadline));
        assertThat(status)
                .as("half-open trial call succeeds and the breaker closes")
                .isEqualTo(200);
        // Half-open lets three trial calls through and closes once their outcomes are recorded,
        // each a moment after its client holds the last byte: a fourth call sent before that
        // finds no permission left (503). So the trials go one by one, each once the one before
        // it was recorded.
        CircuitBreaker flaky = gateway.bean(CircuitBreakerRegistry.class).getAllCircuitBreakers().stream()
                .filter(b -> b.getName().contains("flaky") && !b.getName().contains("@"))
                .findFirst()
                .orElseThrow();
        for (int trial = 1; trial < 3 && flaky.getState() == CircuitBreaker.State.HALF_OPEN; trial++) {
            Instant recorded = Instant.now().plusSeconds(2);
            while (flaky.getMetrics().getNumberOfBufferedCalls() < trial
                    && flaky.getState() == CircuitBreaker.State.HALF_OPEN
                    && Instant.now().isBefore(recorded)) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            get("/api/v1/calendar/entries/ok-" + UUID.randomUUID())
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult();
        }
        awaitBreaker("flaky", CircuitBreaker.State.CLOSED, Duration.ofSeconds(2));
        assertThat(flaky.getState()).as("closed after its trial calls").isEqualTo(CircuitBreaker.State.CLOSED);
        for (int i = 0; i < 5; i++) {
            get("/api/v1/calendar/entries/ok-" + UUID.randomUUID())
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult();
        }
    }

    /**
     * Clients that reset their connections while their calls are in flight (a crowd of phones
     * going out of coverage, a load balancer recycling connections, or one attacker doing it on
     * purpose) say nothing about the upstream: the breaker counts none of it and stays closed.
     */
    @Test
    void clientsResettingTheirConnectionsMidCallNeverOpenTheBreaker() throws Exception {
        CircuitBreaker breaker = gateway.bean(CircuitBreakerRegistry.class).getAllCircuitBreakers().stream()
                .filter(b -> b.getName().contains("hungup"))
                .findFirst()
                .orElseThrow();
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Queue<String> recorded = new java.util.concurrent.ConcurrentLinkedQueue<>();
        breaker.getEventPublisher().onError(event -> {
            failures.incrementAndGet();
            java.io.StringWriter trace = new java.io.StringWriter();
            event.getThrowable().printStackTrace(new java.io.PrintWriter(trace));
            recorded.add(trace.toString());
        });
        int sent = 0;
        for (int round = 0; round < 24; round++) {
            int before = UPSTREAM.receivedMatching("/api/v1/images/");
            java.util.List<java.net.Socket> sockets = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port());
                socket.getOutputStream()
                        .write(("GET /api/v1/images/img-" + UUID.randomUUID() + " HTTP/1.1\r\nHost: gw\r\n"
                                        + "x-api-key: " + key + "\r\nX-Workspace-Id: " + WORKSPACE + "\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sockets.add(socket);
                sent++;
            }
            // the moment the upstream has the calls, its answers are on their way back: hang up then,
            // with a reset, as a dropped client's kernel would (some rounds a little later or sooner)
            Instant roundDeadline = Instant.now().plusMillis(500);
            int expected = before + 16 - (round % 3) * 4;
            while (UPSTREAM.receivedMatching("/api/v1/images/") < expected
                    && Instant.now().isBefore(roundDeadline)) {
                Thread.onSpinWait();
            }
            for (java.net.Socket socket : sockets) {
                socket.setSoLinger(true, 0);
                socket.close();
            }
        }
        // every call has ended one way or the other a moment after the last hang-up
        java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);

        assertThat(UPSTREAM.receivedMatching("/api/v1/images/"))
                .as("calls that reached the upstream before their client hung up")
                .isGreaterThan(sent / 2);
        assertThat(failures.get())
                .as("failures the breaker recorded from clients hanging up: %s", recorded)
                .isZero();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        get("/api/v1/images/img-" + UUID.randomUUID()).expectStatus().isOk().expectBody(Void.class);
    }

    private static boolean breakerIs(String upstream, CircuitBreaker.State state) {
        return gateway.bean(CircuitBreakerRegistry.class).getAllCircuitBreakers().stream()
                .anyMatch(b -> b.getName().contains(upstream) && b.getState() == state);
    }

    /** Waits up to {@code patience} for the state; whether it came is for the caller to judge. */
    private static void awaitBreaker(String upstream, CircuitBreaker.State state, Duration patience) {
        Instant deadline = Instant.now().plus(patience);
        while (!breakerIs(upstream, state) && Instant.now().isBefore(deadline)) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    private static WebTestClient.ResponseSpec get(String path) {
        return call(gateway.client().get().uri(path));
    }

    private static WebTestClient.ResponseSpec call(WebTestClient.RequestHeadersSpec<?> request) {
        return request.header("x-api-key", key)
                .header("X-Workspace-Id", WORKSPACE)
                .exchange();
    }
}
