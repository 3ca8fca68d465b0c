package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.metrics.GatewayMeters;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.routing.RouteSpec;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableParser;
import ai.powerpost.gateway.support.FreePorts;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayTestBase.CreatedKey;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.TestKeys;
import ai.powerpost.gateway.support.TestRoutes;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Test keys reach sandboxes only, live keys live upstreams only: two real recording upstreams
 * (live and sandbox, random loopback ports) behind one gateway whose route table is the real
 * routes.yml (its {@code powerpost} upstream given a sandbox by {@code GATEWAY_UPSTREAM_POWERPOST_SANDBOX})
 * plus an upstream whose sandbox routes.yml declares and one without a sandbox. Every route of
 * that table is called with a live and a test key, and what each upstream received is recorded.
 */
class SandboxRoutingIT {

    private static final RecordingUpstream LIVE = new RecordingUpstream();
    private static final RecordingUpstream SANDBOX = new RecordingUpstream();
    private static final String WORKSPACE = "ws_sandbox";
    private static final String NO_SANDBOX_BODY =
            "{\"error\":{\"code\":\"FORBIDDEN\",\"message\":\"Test keys cannot be used on this route: its upstream has no sandbox\"}}";

    private static Map<String, String> environment;
    private static RouteTable table;
    private static GatewayInstance gateway;
    private static CreatedKey live;
    private static CreatedKey test;

    @BeforeAll
    static void start() {
        String routes = TestRoutes.write(withTwoMoreUpstreams(read(Path.of("../routes.yml"))));
        environment = Map.of(
                "GATEWAY_UPSTREAM_POWERPOST", LIVE.uri(),
                "GATEWAY_UPSTREAM_POWERPOST_SANDBOX", SANDBOX.uri(),
                "GATEWAY_UPSTREAM_REPORTS", LIVE.uri());
        // the table the gateway reads, read here the same way, so "every route" is every route it has
        table = RouteTableParser.load(Path.of(routes), environment::get);
        Map<String, Object> properties = new java.util.HashMap<>(environment);
        properties.put("gateway.routes.file", routes);
        gateway = GatewayInstance.start(LIVE, properties);
        String account = "acct_sandbox_" + System.nanoTime();
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, WORKSPACE)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        live = createLiveKey(gateway, account);
        test = TestKeys.write(gateway.bean(KeyTags.class), account, Scope.FULL_ACCESS);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        LIVE.close();
        SANDBOX.close();
    }

    @Test
    void theTableHasRoutesWithAndWithoutASandboxOnUpstreamsWithItFromTheEnvironmentAndFromTheFile() {
        assertThat(table.routes()).hasSize(20);
        assertThat(table.upstreams().get("powerpost").sandboxUri()).hasToString(SANDBOX.uri());
        assertThat(table.upstreams().get("analytics").sandboxUri()).hasToString(SANDBOX.uri());
        assertThat(table.upstreams().get("reports").hasSandbox()).isFalse();
    }

    @Test
    void onEveryRouteLiveKeysReachOnlyTheLiveUpstreamAndTestKeysOnlyTheSandboxEachToldItsMode() {
        List<String> checked = new ArrayList<>();
        for (RouteSpec route : table.routes()) {
            if (!route.upstream().hasSandbox()) {
                continue;
            }
            call(route, live, "test");
            call(route, test, "live");
            checked.add(route.id());
        }
        // every request above carried a probe of its own; check what each upstream received of them
        for (RecordingUpstream.Received received : LIVE.all()) {
            if (received.uri().contains("probe=")) {
                assertThat(received.header(GatewayHeaders.KEY_MODE))
                        .as("the live upstream received %s", received.uri())
                        .containsExactly("live");
                assertThat(received.first(GatewayHeaders.KEY_ID)).isEqualTo(live.id());
            }
        }
        for (RecordingUpstream.Received received : SANDBOX.all()) {
            if (received.uri().contains("probe=")) {
                assertThat(received.header(GatewayHeaders.KEY_MODE))
                        .as("the sandbox received %s", received.uri())
                        .containsExactly("test");
                assertThat(received.first(GatewayHeaders.KEY_ID)).isEqualTo(test.id());
            }
        }
        assertThat(checked).hasSize(19).contains("post-publish", "media-upload", "analytics-report");
    }

    @Test
    void aTestKeyOnARouteWithoutSandboxIs403AndNothingIsProxiedWhileALiveKeyGetsThrough() {
        RouteSpec route = route("reports-get");
        String probe = UUID.randomUUID().toString();
        request(route, test, "live", probe)
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .contentType(MediaType.APPLICATION_JSON)
                .expectBody()
                .json(NO_SANDBOX_BODY, true);
        assertThat(receivedWith(LIVE, probe)).isEmpty();
        assertThat(receivedWith(SANDBOX, probe)).isEmpty();
        Counter denials = gateway.bean(MeterRegistry.class)
                .find(GatewayMeters.DENIALS)
                .tag("reason", "test_key_no_sandbox")
                .counter();
        assertThat(denials).isNotNull();
        assertThat(denials.count()).isPositive();

        call(route, live, "test");
    }

    @Test
    void aTestKeyWithoutSandboxIsRefusedBeforeTheWorkspaceCheckAndTheRateLimit() {
        // no X-Workspace-Id on a route that needs one: the answer is still the sandbox's refusal
        gateway.client()
                .get()
                .uri("/api/v1/reports/r1?probe=" + UUID.randomUUID())
                .header("x-api-key", test.key())
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectHeader()
                .doesNotExist("X-RateLimit-Limit")
                .expectBody()
                .json(NO_SANDBOX_BODY, true);
    }

    @Test
    void aBrokenSandboxOpensOnlyTheSandboxBreakerAndTheLiveRouteKeepsWorking() {
        int dead = FreePorts.unused();
        String routes = TestRoutes.write("""
                upstreams:
                  backend:
                    uri: %s
                    sandbox-uri: http://127.0.0.1:%d
                    retries: 0
                    connect-timeout: 500ms
                    circuit-breaker: { failure-rate: 50, minimum-calls: 4, open-for: 30s }
                routes:
                  - { id: credits, method: GET, path: /api/v1/account/credits, scope: account:read,
                      workspace: false, upstream: backend }
                """.formatted(LIVE.uri(), dead));
        try (GatewayInstance broken = GatewayInstance.start(LIVE, Map.of("gateway.routes.file", routes))) {
            String account = "acct_broken_sandbox_" + System.nanoTime();
            CreatedKey liveKey = createLiveKey(broken, account);
            CreatedKey testKey = TestKeys.write(broken.bean(KeyTags.class), account, Scope.FULL_ACCESS);
            CircuitBreakerRegistry breakers = broken.bean(CircuitBreakerRegistry.class);
            CircuitBreaker sandboxBreaker = breakers.circuitBreaker("backend@sandbox");
            CircuitBreaker liveBreaker = breakers.circuitBreaker("backend");

            int failing = 0;
            while (failing < 8 && sandboxBreaker.getState() != CircuitBreaker.State.OPEN) {
                credits(broken, testKey)
                        .expectStatus()
                        .isEqualTo(502)
                        .expectBody()
                        .returnResult();
                failing++;
                // a call's outcome is recorded a moment after the client has its answer
                awaitOpen(sandboxBreaker, failing >= 4);
            }
            assertThat(sandboxBreaker.getState())
                    .as("open after %d failing calls", failing)
                    .isEqualTo(CircuitBreaker.State.OPEN);
            credits(broken, testKey)
                    .expectStatus()
                    .isEqualTo(503)
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("SERVICE_UNAVAILABLE");

            for (int i = 0; i < 10; i++) {
                credits(broken, liveKey).expectStatus().isOk().expectBody().returnResult();
            }
            assertThat(liveBreaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(liveBreaker.getMetrics().getNumberOfFailedCalls()).isZero();
            assertThat(LIVE.all())
                    .as("no test key's call reached the live upstream")
                    .noneMatch(r -> testKey.id().equals(r.first(GatewayHeaders.KEY_ID)));

            String scrape = broken.management()
                    .get()
                    .uri("/actuator/prometheus")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(scrape.lines().filter(line -> line.startsWith("resilience4j_circuitbreaker_state{")))
                    .as("the two breakers, told apart by name on the dashboards")
                    .anyMatch(line -> line.contains("name=\"backend@sandbox\"")
                            && line.contains("state=\"open\"")
                            && line.endsWith(" 1.0"))
                    .anyMatch(line -> line.contains("name=\"backend\"")
                            && line.contains("state=\"closed\"")
                            && line.endsWith(" 1.0"));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** routes.yml with an upstream whose file declares a sandbox, one without, and a route on each. */
    private static String withTwoMoreUpstreams(String routesYml) {
        assertThat(routesYml).contains("\nupstreams:\n").endsWith("\n");
        return routesYml.replace("\nupstreams:\n", """

                upstreams:
                  analytics:
                    uri: %s
                    sandbox-uri: %s
                  reports:
                    uri: http://127.0.0.1:1
                """.formatted(LIVE.uri(), SANDBOX.uri())) + """
                  - { id: analytics-report, method: GET, path: "/api/v1/analytics/reports/{id}", scope: analytics:read,
                      upstream: analytics }
                  - { id: reports-get, method: GET, path: "/api/v1/reports/{id}", scope: account:read, upstream: reports }
                """;
    }

    /**
     * Calls {@code route} with {@code key}, a spoofed {@code X-PowerPost-Key-Mode: spoofed}, and a
     * probe of its own in the query, expecting the upstream's 200; then checks that exactly one
     * upstream received it, the right one for the key, told the key's mode.
     */
    private static void call(RouteSpec route, CreatedKey key, String spoofed) {
        String probe = UUID.randomUUID().toString();
        // once the answer is in, the upstream has recorded the request
        request(route, key, spoofed, probe)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.ok")
                .isEqualTo(true);
        RecordingUpstream expected = key == test ? SANDBOX : LIVE;
        RecordingUpstream other = key == test ? LIVE : SANDBOX;
        String what = (key == test ? "test" : "live") + " key on " + route.id();
        assertThat(receivedWith(expected, probe)).as(what).hasSize(1);
        assertThat(receivedWith(other, probe)).as(what + ", the other upstream").isEmpty();
        assertThat(receivedWith(expected, probe).get(0).header(GatewayHeaders.KEY_MODE))
                .as(what + ": the mode header, never the client's")
                .containsExactly(key == test ? "test" : "live");
    }

    private static WebTestClient.RequestHeadersSpec<?> request(
            RouteSpec route, CreatedKey key, String spoofed, String probe) {
        String path = route.path().source().replaceAll("\\{[^}]+}", "p" + probe.substring(0, 8));
        WebTestClient.RequestHeadersSpec<?> request = gateway.client()
                .method(HttpMethod.valueOf(route.methods().iterator().next()))
                .uri(path + "?probe=" + probe)
                .header("x-api-key", key.key())
                .header(GatewayHeaders.KEY_MODE, spoofed);
        if (route.workspaceRequired()) {
            request = request.header(GatewayHeaders.WORKSPACE_ID, WORKSPACE);
        }
        return request;
    }

    private static List<RecordingUpstream.Received> receivedWith(RecordingUpstream upstream, String probe) {
        return upstream.all().stream()
                .filter(r -> r.uri().endsWith("probe=" + probe))
                .toList();
    }

    private static RouteSpec route(String id) {
        return table.routes().stream()
                .filter(r -> r.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    private static WebTestClient.ResponseSpec credits(GatewayInstance instance, CreatedKey key) {
        return instance.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key.key())
                .exchange();
    }

    private static void awaitOpen(CircuitBreaker breaker, boolean enoughCalls) {
        if (!enoughCalls) {
            return;
        }
        long deadline = System.nanoTime() + 500_000_000L;
        while (breaker.getState() != CircuitBreaker.State.OPEN && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @SuppressWarnings("unchecked")
    private static CreatedKey createLiveKey(GatewayInstance instance, String account) {
        Map<String, Object> created = instance.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "live", "preset", "full_access"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new CreatedKey((String) created.get("id"), (String) created.get("key"), account);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
