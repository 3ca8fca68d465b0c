package ai.powerpost.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.support.FreePorts;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.MisbehavingUpstream;
import ai.powerpost.gateway.support.OwnRedisServer;
import ai.powerpost.gateway.support.RecordingUpstream;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Grafana dashboard and the alert rules proven against a real Prometheus (the Debian
 * package's {@code /usr/bin/prometheus}, on a random loopback port with a temporary TSDB, deleted
 * afterwards) that scrapes a real gateway every second and evaluates the rules every second. The
 * gateway gets traffic of every kind: 200s, every denial reason, upstream 500s until its breaker
 * opens and the breaker's 503s, a 502 and a 504, an accepted and a refused route reload, a Redis
 * outage (its own Redis process, stopped: 503 {@code AUTH_UNAVAILABLE}, failed look-ups, failing
 * last-used flushes) and a brute-force throttle. Then every query of every dashboard panel (read
 * from gateway.json) must parse and return series, every rule's expression must parse and select
 * existing series, Prometheus must evaluate every rule without error, and the alerts this traffic
 * causes must fire.
 */
class DashboardAndAlertsIT {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path DASHBOARD = REPO.resolve("docker/grafana/dashboards/gateway.json");
    private static final Path RULES = REPO.resolve("docker/prometheus/alerts.yml");
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    /**
     * Alerts no test traffic can bring over their threshold; their expressions are still checked
     * to parse and, with the comparisons taken out, to select existing series. The gateway adds
     * well under 10 ms at p99 and this test sends far fewer than 1 proxied request/s over 5
     * minutes; the access log's queue (65 536 lines) never fills from a test.
     */
    private static final Set<String> UNREACHABLE_IN_A_TEST =
            Set.of("GatewayAddedLatencyHigh", "GatewayAccessLogDropping");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String WORKSPACE = "ws_" + hex16();

    private static final MisbehavingUpstream UPSTREAM = new MisbehavingUpstream();
    private static final RecordingUpstream UNUSED_UPSTREAM = new RecordingUpstream();
    private static final int DEAD_PORT = FreePorts.unused();
    private static Path work;
    private static OwnRedisServer redis;
    private static GatewayInstance gateway;
    private static Process prometheus;
    private static int prometheusPort;

    private static String routes(String extra) {
        return """
                rate-limits:
                  default: { requests: 100000, per: 60s }
                  tiny: { requests: 1, per: 60s }
                upstreams:
                  backend:
                    uri: http://127.0.0.1:1
                    retries: 0
                    circuit-breaker: { failure-rate: 100, minimum-calls: 1000, open-for: 2s }
                  flaky:
                    uri: http://127.0.0.1:1
                    retries: 0
                    circuit-breaker: { failure-rate: 50, minimum-calls: 4, open-for: 60s }
                  dead:
                    uri: http://127.0.0.1:%d
                    connect-timeout: 500ms
                    retries: 0
                    circuit-breaker: { failure-rate: 100, minimum-calls: 1000, open-for: 2s }
                routes:
                  - { id: credits, method: GET, path: /api/v1/account/credits, scope: account:read, workspace: false, upstream: backend }
                  - { id: post-get, method: GET, path: "/api/v1/posts/{id}", scope: posts:read, upstream: backend, response-timeout: 300ms }
                  - { id: post-publish, method: POST, path: "/api/v1/posts/{id}/publish", scope: posts:publish, upstream: backend, max-body: 1KB }
                  - { id: calendar, method: GET, path: "/api/v1/calendar/entries/{id}", scope: calendar:read, upstream: flaky }
                  - { id: images, method: GET, path: "/api/v1/images/{id}", scope: images:read, upstream: dead }
                  - { id: videos, method: GET, path: "/api/v1/videos/{id}", scope: videos:read, upstream: backend, rate-limit: tiny }
                """.formatted(DEAD_PORT) + extra;
    }

    @BeforeAll
    static void startEverythingAndDriveTraffic() throws Exception {
        work = Files.createTempDirectory("dashboard-alerts-it-");
        Path routesFile = work.resolve("routes.yml");
        Files.writeString(routesFile, routes(""));
        redis = new OwnRedisServer();
        gateway = GatewayInstance.start(
                UNUSED_UPSTREAM,
                Map.of(
                        "spring.data.redis.url",
                        redis.url(),
                        "gateway.routes.file",
                        routesFile.toString(),
                        "gateway.routes.reload-interval",
                        "200ms",
                        "GATEWAY_UPSTREAM_BACKEND",
                        UPSTREAM.uri(),
                        "GATEWAY_UPSTREAM_FLAKY",
                        UPSTREAM.uri(),
                        "gateway.usage.flush-interval",
                        "200ms",
                        "gateway.usage.counts-flush-interval",
                        "200ms",
                        // a brute-force throttle after a few failed attempts, not 50
                        "gateway.auth.max-failures",
                        "5"));
        startPrometheus();
        awaitSeries("up{job=\"edge-gateway\"} == 1");
        // the counters registered at start-up are scraped at 0 before the traffic, so rate() sees all of it
        awaitSeries("gateway_redis_errors_total");
        driveTraffic(routesFile);
    }

    private static void startPrometheus() throws IOException, InterruptedException {
        assertThat(PROMETHEUS)
                .as("the prometheus binary (apt-get install prometheus; .ci/run installs it)")
                .isExecutable();
        prometheusPort = FreePorts.unused();
        Path config = work.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - "%s"
                scrape_configs:
                  - job_name: edge-gateway
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(RULES, gateway.managementPort()));
        prometheus = new ProcessBuilder(
                        PROMETHEUS.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + work.resolve("tsdb"),
                        "--storage.tsdb.retention.time=1h",
                        "--web.listen-address=127.0.0.1:" + prometheusPort)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("prometheus.log").toFile())
                .start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            assertThat(prometheus.isAlive())
                    .as("prometheus runs: %s", prometheusLog())
                    .isTrue();
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(Instant.now())
                    .as("prometheus ready: %s", prometheusLog())
                    .isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private static void driveTraffic(Path routesFile) throws Exception {
        String account = "acct_dash_" + hex16();
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, WORKSPACE)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        String full = createKey(account, "full_access");
        String readOnly = createKey(account, "read_only");
        List<String> neverUsed = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            neverUsed.add(createKey("acct_dash_" + hex16(), "read_only")); // at most 10 keys per account
        }

        // A key first used days ago (its usage history written as the gateway would have), now used
        // from a network it never was: a finding of unexpected activity (new_network).
        Map<?, ?> returning = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", "acct_dash_" + hex16())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "dashboard returning", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        io.lettuce.core.RedisClient history = io.lettuce.core.RedisClient.create(redis.url());
        try (var connection = history.connect()) {
            connection
                    .sync()
                    .hset(
                            "ppgw:usage:{" + returning.get("id") + "}:meta",
                            "first",
                            Long.toString(System.currentTimeMillis()
                                    - Duration.ofDays(3).toMillis()));
        } finally {
            history.shutdown();
        }
        expect(get("/api/v1/account/credits", (String) returning.get("key"), null), 200);

        // One of every kind first: denial counters appear with their first increment, and rate()
        // needs a sample before the rest.
        for (int i = 0; i < 5; i++) {
            expect(get("/api/v1/account/credits", full, null), 200);
            expect(get("/api/v1/posts/p1", full, WORKSPACE), 200);
        }
        expect(get("/api/v1/account/credits", null, null), 401); // missing_key
        expect(get("/api/v1/account/credits", "pp_live_sk_not-a-key", null), 401); // invalid_key
        expect(call(gateway.client().post().uri("/api/v1/posts/p1/publish"), readOnly, WORKSPACE), 403);
        expect(get("/api/v1/posts/p1", full, "ws_" + hex16()), 403); // workspace_forbidden
        expect(get("/api/v1/posts/p1", full, null), 400); // workspace_missing
        expect(get("/api/v1/posts/p1", full, "not a workspace"), 400); // workspace_malformed
        expect(get("/api/v1/nope", full, null), 404); // not_found
        expect(call(gateway.client().delete().uri("/api/v1/account/credits"), full, null), 405);
        expect(
                call(
                        gateway.client()
                                .post()
                                .uri("/api/v1/posts/p1/publish")
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue("x".repeat(4096)),
                        full,
                        WORKSPACE),
                413); // body_too_large
        expect(
                call(gateway.client().get().uri("/api/v1/account/credits").header("Upgrade", "websocket"), full, null),
                400); // bad_request
        expect(get("/api/v1/images/i1", full, WORKSPACE), 502); // bad_gateway: nothing listens
        expect(get("/api/v1/posts/hang-1", full, WORKSPACE), 504); // gateway_timeout after 300 ms
        int status = 0;
        for (int i = 0; i < 20 && status != 503; i++) { // upstream 500s until the breaker opens
            status = status(get("/api/v1/calendar/entries/fail-" + i, full, WORKSPACE));
        }
        assertThat(status).as("the flaky upstream's breaker opened").isEqualTo(503);
        expect(get("/api/v1/videos/v1", full, WORKSPACE), 200);
        int limited = status(get("/api/v1/videos/v1", full, WORKSPACE)); // rate_limited
        if (limited == 200) {
            // the first fell in the last moment of a minute's window and this one opened the next
            // (the run of 2026-12-08 06:28:00 met exactly that): the next one is over the limit
            limited = status(get("/api/v1/videos/v1", full, WORKSPACE));
        }
        assertThat(limited).as("the tiny class's second request in one window").isEqualTo(429);

        // routes.yml: one change accepted, then one refused (an unknown scope)
        publish(
                routesFile,
                routes(
                        "  - { id: extra, method: GET, path: /api/v1/analytics, scope: analytics:read, upstream: backend }\n"));
        awaitSeries("gateway_routes_reloads_total{result=\"success\"} > 0");
        try (ExpectedLogs refusal =
                ExpectedLogs.expect("ai.powerpost.gateway.routing.RouteTableReloader", Level.ERROR)) {
            publish(
                    routesFile,
                    routes(
                            "  - { id: broken, method: GET, path: /api/v1/x, scope: posts:delete, upstream: backend }\n"));
            awaitSeries("gateway_routes_reloads_total{result=\"failure\"} > 0");
            assertThat(refusal.messages()).as("the refusal is logged").isNotEmpty();
        }
        awaitSeries("gateway_denials_total{reason=\"rate_limited\"}");

        // Then the bulk, for the rates and ratios the alerts measure.
        for (int i = 0; i < 40; i++) {
            expect(get("/api/v1/calendar/entries/e" + i, full, WORKSPACE), 503); // upstream_unavailable
        }
        for (int i = 0; i < 110; i++) {
            expect(get("/api/v1/videos/v1", full, WORKSPACE), 429);
        }
        for (int i = 0; i < 10; i++) {
            expect(get("/api/v1/posts/p" + i, full, WORKSPACE), 200);
        }

        // A Redis outage: the warm key keeps working (and its last-used time cannot be written),
        // keys never used get 503 AUTH_UNAVAILABLE.
        expect(get("/api/v1/account/credits", full, null), 200);
        redis.stop();
        expect(get("/api/v1/account/credits", full, null), 200);
        // last-used times are kept to the minute: a scope this key has not used yet is a write due
        expect(call(gateway.client().post().uri("/api/v1/posts/p1/publish"), full, WORKSPACE), 200);
        expect(get("/api/v1/account/credits", neverUsed.get(0), null), 503);
        awaitSeries("gateway_denials_total{reason=\"auth_unavailable\"}");
        for (String key : neverUsed.subList(1, neverUsed.size())) {
            expect(get("/api/v1/account/credits", key, null), 503);
            expect(get("/api/v1/account/credits", full, null), 200);
        }

        // Brute force: failed attempts until the address is throttled, then many more.
        status = 0;
        for (int i = 0; i < 10 && status != 429; i++) {
            status = status(get("/api/v1/account/credits", "bad-key-" + hex16(), null)); // malformed: no Redis needed
        }
        assertThat(status).as("the address was throttled").isEqualTo(429);
        awaitSeries("gateway_denials_total{reason=\"brute_force\"}");
        // the failure window is epoch-aligned (a minute): if it ends among these, the next few
        // failures are 401 again before the address is throttled anew
        int throttled = 0;
        for (int i = 0; i < 100; i++) {
            int answer = status(get("/api/v1/account/credits", "bad-key-" + hex16(), null));
            assertThat(answer).isIn(401, 429);
            throttled += answer == 429 ? 1 : 0;
        }
        assertThat(throttled).as("throttled answers of 100").isGreaterThanOrEqualTo(90);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (redis != null) {
                redis.close();
            }
            UPSTREAM.close();
            UNUSED_UPSTREAM.close();
            if (work != null) {
                try (Stream<Path> files = Files.walk(work)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                assertThat(work)
                        .as("the temporary TSDB and configuration are gone")
                        .doesNotExist();
            }
        }
    }

    @Test
    void everyQueryOfEveryDashboardPanelParsesAndReturnsSeries() throws IOException {
        Map<String, String> queries = dashboardQueries();
        assertThat(queries).as("queries in gateway.json").hasSizeGreaterThanOrEqualTo(20);
        Map<String, String> failed = new TreeMap<>();
        Instant deadline = Instant.now().plusSeconds(15);
        queries.forEach((where, expr) -> {
            JsonNode result = awaitResult(expr, r -> !r.isEmpty(), deadline);
            if (result.isEmpty()) {
                failed.put(where, expr);
            }
        });
        assertThat(failed).as("dashboard queries that returned no series").isEmpty();
    }

    @Test
    void everyAlertExpressionParsesAndSelectsExistingSeries() {
        Map<String, String> alerts = alertExpressions();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);
        assertThat(alerts.keySet()).containsAll(UNREACHABLE_IN_A_TEST);
        Map<String, String> failed = new TreeMap<>();
        Instant deadline = Instant.now().plusSeconds(15);
        alerts.forEach((name, expr) -> {
            query(expr); // parses (a 400 fails the test)
            String selection = withoutComparisons(expr);
            assertThat(selection).as(name + " has a threshold").isNotEqualTo(expr);
            if (awaitResult(selection, r -> !r.isEmpty(), deadline).isEmpty()) {
                failed.put(name, selection);
            }
        });
        assertThat(failed)
                .as("alert expressions (thresholds removed) that select no series")
                .isEmpty();
    }

    @Test
    void theAlertsThisTrafficCausesFire() {
        Map<String, String> alerts = alertExpressions();
        Map<String, String> silent = new TreeMap<>();
        Instant deadline = Instant.now().plusSeconds(15);
        alerts.forEach((name, expr) -> {
            if (!UNREACHABLE_IN_A_TEST.contains(name)
                    && awaitResult(expr, r -> !r.isEmpty(), deadline).isEmpty()) {
                silent.put(name, expr);
            }
        });
        assertThat(silent)
                .as("alerts whose expression the traffic should satisfy")
                .isEmpty();

        // Prometheus's own evaluation of the loaded rules agrees: pending (their for: has not
        // passed yet in a test) or firing (no for:).
        Set<String> expected = new TreeSet<>(alerts.keySet());
        expected.removeAll(UNREACHABLE_IN_A_TEST);
        Set<String> active = new TreeSet<>();
        while (true) {
            active.clear();
            for (JsonNode alert : apiData("/api/v1/alerts").path("alerts")) {
                active.add(alert.path("labels").path("alertname").asText());
            }
            if (active.containsAll(expected) || Instant.now().isAfter(deadline)) {
                break;
            }
            sleep(250);
        }
        assertThat(active).as("pending or firing in Prometheus").containsAll(expected);
    }

    @Test
    void prometheusLoadsEveryRuleAndEvaluatesItWithoutError() {
        Map<String, String> alerts = alertExpressions();
        Map<String, String> health = new TreeMap<>();
        Instant deadline = Instant.now().plusSeconds(10);
        do {
            health.clear();
            for (JsonNode group : apiData("/api/v1/rules").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    health.put(
                            rule.path("name").asText(),
                            rule.path("health").asText() + " "
                                    + rule.path("lastError").asText(""));
                }
            }
        } while (!health.values().stream().allMatch(h -> h.equals("ok "))
                && Instant.now().isBefore(deadline)
                && sleep(250));
        assertThat(health.keySet()).containsExactlyInAnyOrderElementsOf(alerts.keySet());
        assertThat(health).allSatisfy((name, h) -> assertThat(h).as(name).isEqualTo("ok "));
    }

    // ---------------------------------------------------------------------------------------

    /** Every target's expr of every panel (rows' panels too), by "panel title / refId", Grafana variables filled in. */
    private static Map<String, String> dashboardQueries() throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        collectQueries(JSON.readTree(DASHBOARD.toFile()).path("panels"), queries);
        return queries;
    }

    private static void collectQueries(JsonNode panels, Map<String, String> into) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (!expr.isBlank()) {
                    into.put(
                            panel.path("title").asText() + " / "
                                    + target.path("refId").asText(),
                            grafanaVariables(expr));
                }
            }
            collectQueries(panel.path("panels"), into);
        }
    }

    /** Grafana's built-in interval variables, as Grafana would fill them for a 1 s scrape interval. */
    private static String grafanaVariables(String expr) {
        return expr.replace("$__rate_interval", "1m")
                .replace("${__rate_interval}", "1m")
                .replace("$__interval", "15s")
                .replace("${__interval}", "15s")
                .replace("$interval", "15s")
                .replace("$__range", "1h");
    }

    /** The alert rules' expressions by alert name, read from the shipped rules file. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> alertExpressions() {
        Map<String, String> alerts = new LinkedHashMap<>();
        try {
            Map<String, Object> file = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(RULES));
            for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    alerts.put((String) rule.get("alert"), (String) rule.get("expr"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return alerts;
    }

    /** The expression with every comparison against a number taken out: what it measures, whatever its value. */
    static String withoutComparisons(String expr) {
        return expr.replaceAll("\\s*(==|!=|>=|<=|>|<)\\s*(bool\\s+)?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?", "");
    }

    /** Polls the query until the result satisfies {@code done} or the deadline passes; returns the last result. */
    private static JsonNode awaitResult(String expr, Predicate<JsonNode> done, Instant deadline) {
        JsonNode result = query(expr);
        while (!done.test(result) && Instant.now().isBefore(deadline)) {
            sleep(250);
            result = query(expr);
        }
        return result;
    }

    private static void awaitSeries(String expr) {
        assertThat(awaitResult(expr, r -> !r.isEmpty(), Instant.now().plusSeconds(15)))
                .as("series for %s", expr)
                .isNotEmpty();
    }

    /** An instant query's result (a vector's samples); fails the test when Prometheus refuses the query. */
    private static JsonNode query(String expr) {
        JsonNode data = apiData("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        assertThat(data.path("resultType").asText())
                .as("result type of %s", expr)
                .isIn("vector", "scalar");
        return data.path("resultType").asText().equals("vector") ? data.path("result") : JSON.createArrayNode();
    }

    private static JsonNode apiData(String pathAndQuery) {
        try {
            HttpResponse<String> response = get(pathAndQuery);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("status").asText())
                    .as("Prometheus %s: %s", pathAndQuery, response.body())
                    .isEqualTo("success");
            return body.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> get(String pathAndQuery) throws IOException {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String prometheusLog() {
        try {
            Path log = work.resolve("prometheus.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Replaces routes.yml in one step, so the reloader never reads half a file. */
    private static void publish(Path routesFile, String yaml) throws IOException {
        Path next = routesFile.resolveSibling("routes.yml.next");
        Files.writeString(next, yaml);
        Files.move(next, routesFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebTestClient.ResponseSpec get(String path, String key, String workspace) {
        return call(gateway.client().get().uri(path), key, workspace);
    }

    private static WebTestClient.ResponseSpec call(
            WebTestClient.RequestHeadersSpec<?> request, String key, String workspace) {
        if (key != null) {
            request = request.header("x-api-key", key);
        }
        if (workspace != null) {
            request = request.header("X-Workspace-Id", workspace);
        }
        return request.exchange();
    }

    private static int status(WebTestClient.ResponseSpec response) {
        return response.expectBody().returnResult().getStatus().value();
    }

    private static void expect(WebTestClient.ResponseSpec response, int status) {
        response.expectStatus().isEqualTo(status).expectBody().returnResult();
    }

    @SuppressWarnings("unchecked")
    private static String createKey(String account, String preset) {
        return (String) gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "dashboard " + preset, "preset", preset))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody()
                .get("key");
    }

    private static String hex16() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return true;
    }
}
