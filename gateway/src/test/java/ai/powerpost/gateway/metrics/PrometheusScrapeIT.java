package ai.powerpost.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.TestClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real scrape of the running gateway after a bit of every kind of traffic: it passes
 * {@code promtool check metrics}, carries the gateway's own meters with bounded tags only, and
 * exports every metric name the Grafana dashboard's queries use (so dashboard and code cannot
 * drift apart).
 */
@GatewayIntegrationTest
class PrometheusScrapeIT extends GatewayTestBase {

    private static final Path DASHBOARD = Path.of("../docker/grafana/dashboards/gateway.json");
    /** Metric names in PromQL as the dashboard writes them: always followed by a label matcher. */
    private static final Pattern METRIC_IN_QUERY = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");

    private String scrapeAfterTraffic() {
        Tenant tenant = tenant("draft_only");
        client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
        client.post()
                .uri("/api/v1/posts/p1/publish")
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isForbidden()
                .expectBody()
                .returnResult();
        client.get()
                .uri("/api/v1/posts/p1")
                .header("x-api-key", tenant.key().key())
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .returnResult();
        client.get()
                .uri("/api/v1/account/credits")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .returnResult();
        client.get()
                .uri("/api/v1/nope")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .returnResult();
        return TestClients.to(managementPort)
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
    }

    @Test
    void scrapePassesPromtoolAndHasBoundedTags() throws Exception {
        String scrape = scrapeAfterTraffic();
        assertThat(scrape)
                .contains("gateway_requests_seconds_bucket{")
                .contains("gateway_overhead_seconds_bucket{")
                .contains("gateway_denials_total{reason=\"insufficient_scope\",scope=\"posts:publish\"}")
                .contains("gateway_denials_total{reason=\"workspace_missing\"")
                .contains("gateway_denials_total{reason=\"missing_key\"")
                .contains("cache_gets_total{cache=\"gateway.keys\"")
                .contains("resilience4j_circuitbreaker_state{")
                .contains("gateway_routes_reloads_total{")
                .doesNotContain("spring_cloud_gateway_requests")
                .contains("lettuce_command_completion_seconds_bucket{")
                // no client-side percentiles: they rotate an HdrHistogram on Lettuce's event loop
                .doesNotContainPattern("lettuce_command_[a-z_]+_seconds\\{[^}]*quantile=")
                // no account, workspace or key id (as this suite makes them) and no key at all
                .doesNotContainPattern("acct_[0-9a-f]{16}")
                .doesNotContainPattern("ws_[0-9a-f]{16}")
                .doesNotContainPattern("key_[A-Za-z0-9]{20}")
                .doesNotContain("pp_live_sk_");
        Path file = Files.createTempFile("scrape-", ".prom");
        try {
            Files.writeString(file, scrape);
            Process promtool = new ProcessBuilder("promtool", "check", "metrics")
                    .redirectErrorStream(true)
                    .redirectInput(file.toFile())
                    .start();
            assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.exitValue())
                    .as("promtool check metrics: %s", output)
                    .isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws IOException {
        String scrape = scrapeAfterTraffic();
        Set<String> exported = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                exported.add(line.substring(0, end));
            }
        }
        List<String> queried = new ArrayList<>();
        Matcher matcher = METRIC_IN_QUERY.matcher(Files.readString(DASHBOARD));
        while (matcher.find()) {
            queried.add(matcher.group(1));
        }
        assertThat(queried).as("metric names in the dashboard's queries").isNotEmpty();
        assertThat(exported).containsAll(queried);
    }
}
