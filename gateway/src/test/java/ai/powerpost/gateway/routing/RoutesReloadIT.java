package ai.powerpost.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.MisbehavingUpstream;
import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * routes.yml changes are applied without a restart, also when the file is a Kubernetes ConfigMap
 * mount (the kubelet swaps a {@code ..data} symlink); an invalid file is refused and the old
 * routes keep serving; a request in flight during a reload is not dropped.
 */
class RoutesReloadIT {

    private static final MisbehavingUpstream UPSTREAM = new MisbehavingUpstream();
    private static Path mount;
    private static GatewayInstance gateway;
    private static String key;

    private static String routes(String extraRoute) {
        return """
                upstreams:
                  powerpost: { uri: "http://127.0.0.1:1" }
                routes:
                  - { id: credits, method: GET, path: /api/v1/account/credits, scope: account:read, workspace: false, upstream: powerpost }
                """ + extraRoute;
    }

    /** Lays out a ConfigMap volume as the kubelet does: routes.yml → ..data/routes.yml, ..data → ..<version>. */
    private static void publish(String yaml) throws IOException {
        Path version = Files.createDirectory(mount.resolve("..v" + System.nanoTime()));
        Files.writeString(version.resolve("routes.yml"), yaml);
        Path tmp = mount.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, version.getFileName());
        Files.move(tmp, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void start() throws IOException {
        mount = Files.createTempDirectory("configmap-");
        publish(routes(""));
        Files.createSymbolicLink(mount.resolve("routes.yml"), Path.of("..data/routes.yml"));
        gateway = GatewayInstance.start(
                new ai.powerpost.gateway.support.RecordingUpstream(),
                Map.of(
                        "gateway.routes.file", mount.resolve("routes.yml").toString(),
                        "gateway.routes.reload-interval", "200ms",
                        "GATEWAY_UPSTREAM_POWERPOST", UPSTREAM.uri()));
        key = (String) gateway.admin()
                .post()
                .uri("/admin/v1/accounts/acct_reload/keys")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "r", "preset", "full_access"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody()
                .get("key");
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/acct_reload/workspaces/ws_r")
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
    }

    @AfterAll
    static void stop() throws IOException {
        gateway.close();
        UPSTREAM.close();
        try (Stream<Path> files = Files.walk(mount)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static int status(String path) {
        return gateway.client()
                .get()
                .uri(path)
                .header("x-api-key", key)
                .header("X-Workspace-Id", "ws_r")
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }

    private static int awaitStatus(IntSupplier call, int wanted) {
        Instant deadline = Instant.now().plusSeconds(10);
        int status;
        do {
            status = call.getAsInt();
        } while (status != wanted && Instant.now().isBefore(deadline));
        return status;
    }

    @Test
    void configMapSymlinkSwapIsAppliedInvalidFileIsRefusedAndInFlightRequestsFinish() throws Exception {
        assertThat(status("/api/v1/posts/p1")).isEqualTo(404);

        publish(
                routes(
                        "  - { id: post-get, method: GET, path: \"/api/v1/posts/{id}\", scope: posts:read, upstream: powerpost }\n"));
        assertThat(awaitStatus(() -> status("/api/v1/posts/p1"), 200))
                .as("new route applied")
                .isEqualTo(200);

        // a request in flight while the table is swapped again is not dropped
        CompletableFuture<Integer> inFlight = CompletableFuture.supplyAsync(() -> status("/api/v1/posts/slow1500-x"));
        Instant deadline = Instant.now().plusSeconds(5);
        while (UPSTREAM.received("/api/v1/posts/slow1500-x") == 0
                && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        publish(
                routes(
                        "  - { id: post-get, method: GET, path: \"/api/v1/posts/{id}\", scope: posts:read, upstream: powerpost }\n"
                                + "  - { id: calendar, method: GET, path: /api/v1/calendar/entries, scope: calendar:read, upstream: powerpost }\n"));
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(awaitStatus(() -> status("/api/v1/calendar/entries"), 200)).isEqualTo(200);

        // an invalid file is refused: the previous routes keep serving, the failure is counted and logged
        ExpectedLogs refusal = ExpectedLogs.expect(RouteTableReloader.class, Level.ERROR);
        publish(routes("  - { id: broken, method: GET, path: /api/v1/x, scope: posts:delete, upstream: powerpost }\n"));
        Instant until = Instant.now().plusSeconds(10);
        String metrics;
        do {
            metrics = gateway.management()
                    .get()
                    .uri("/actuator/prometheus")
                    .exchange()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
        } while ((!metrics.contains("gateway_routes_reloads_total{result=\"failure\"} 1.0")
                        || refusal.messages().isEmpty())
                && Instant.now().isBefore(until));
        refusal.close();
        assertThat(metrics).contains("gateway_routes_reloads_total{result=\"failure\"} 1.0");
        assertThat(refusal.messages())
                .singleElement()
                .asString()
                .startsWith("routes file change refused, the previous routes keep serving: routes file " + mount);
        assertThat(status("/api/v1/calendar/entries")).isEqualTo(200);
        assertThat(status("/api/v1/x")).isEqualTo(404);
    }
}
