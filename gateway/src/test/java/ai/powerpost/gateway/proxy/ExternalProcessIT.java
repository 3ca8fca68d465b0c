package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.FreePorts;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.MisbehavingUpstream;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway (target/gateway.jar) as its own process with a 256 MB heap: a 500 MB upload
 * streams through it, and SIGTERM lets an in-flight request finish and exits 0.
 */
class ExternalProcessIT {

    private static final long MB = 1024 * 1024;
    private static final RecordingUpstream RECORDING = new RecordingUpstream();
    private static final MisbehavingUpstream SLOW = new MisbehavingUpstream();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterAll
    static void stop() {
        RECORDING.close();
        SLOW.close();
    }

    private static Process start(int port, int managementPort, String upstream) throws IOException {
        Path jar = Path.of("target/gateway.jar");
        assertThat(jar)
                .as("the packaged gateway (mvn package runs before the integration tests)")
                .exists();
        File log = File.createTempFile("gateway-process-", ".log");
        log.deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log);
        Map<String, String> env = builder.environment();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
        env.put("SPRING_DATA_REDIS_URL", RedisSupport.redis().url());
        env.put("GATEWAY_UPSTREAM_POWERPOST", upstream);
        env.put("GATEWAY_ROUTES_FILE", "../routes.yml");
        env.put("GATEWAY_ADMIN_TOKEN", GatewayTestBase.ADMIN_TOKEN);
        // as an operator sets them: the secret's id in the variable's name, the minting id in another
        env.put("GATEWAY_KEYS_SECRETS_" + GatewayTestBase.KEY_SECRET_ID.toUpperCase(), GatewayTestBase.KEY_SECRET);
        env.put("GATEWAY_KEYS_MINTING_SECRET", GatewayTestBase.KEY_SECRET_ID);
        Process process = builder.start();
        awaitHealthy(managementPort, process, log.toPath());
        return process;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void awaitHealthy(int managementPort, Process process, Path log) throws IOException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            try {
                HttpResponse<String> health = HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException | InterruptedException notYet) {
                // still starting
            }
        }
        throw new IllegalStateException("the gateway process did not become ready:\n" + Files.readString(log));
    }

    private static String createKey(int managementPort) throws IOException, InterruptedException {
        String account = "acct_process_" + System.nanoTime();
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/admin/v1/accounts/" + account
                                + "/workspaces/ws_p"))
                        .header("Authorization", "Bearer " + GatewayTestBase.ADMIN_TOKEN)
                        .PUT(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        String created = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/admin/v1/accounts/"
                                        + account + "/keys"))
                                .header("Authorization", "Bearer " + GatewayTestBase.ADMIN_TOKEN)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"name\":\"p\",\"preset\":\"full_access\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return created.replaceAll(".*\"key\":\"(pp_live_sk_[A-Za-z0-9]+)\".*", "$1");
    }

    @Test
    void fiveHundredMegabyteUploadStreamsThroughA256MegabyteHeap() throws Exception {
        int port = FreePorts.unused();
        int managementPort = FreePorts.unused();
        Process gateway = start(port, managementPort, RECORDING.uri());
        try {
            String key = createKey(managementPort);
            long size = 500 * MB;
            String marker = "m" + System.nanoTime();
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/media/upload?m=" + marker))
                            .header("x-api-key", key)
                            .header("X-Workspace-Id", "ws_p")
                            .header("Content-Type", "application/octet-stream")
                            .timeout(Duration.ofMinutes(3))
                            .POST(HttpRequest.BodyPublishers.fromPublisher(zeros(size), size))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(RECORDING.receivedUnder("/api/v1/media/upload?m=" + marker))
                    .singleElement()
                    .extracting(RecordingUpstream.Received::bodyBytes)
                    .isEqualTo(size);
            assertThat(gateway.isAlive()).isTrue();
        } finally {
            gateway.destroy();
            gateway.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermLetsTheInFlightRequestFinishThenExitsZero() throws Exception {
        int port = FreePorts.unused();
        int managementPort = FreePorts.unused();
        Process gateway = start(port, managementPort, SLOW.uri());
        String key = createKey(managementPort);
        CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/posts/slow2000-x"))
                        .header("x-api-key", key)
                        .header("X-Workspace-Id", "ws_p")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Instant deadline = Instant.now().plusSeconds(5);
        while (SLOW.received("/api/v1/posts/slow2000-x") == 0 && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        gateway.destroy(); // SIGTERM
        assertThat(inFlight.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gateway.exitValue()).isZero();
    }

    /** {@code size} zero bytes, produced 1 MB at a time on demand (never held whole). */
    private static Flow.Publisher<ByteBuffer> zeros(long size) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private long sent;
            private boolean done;

            @Override
            public synchronized void request(long n) {
                for (long i = 0; i < n && !done; i++) {
                    long chunk = Math.min(MB, size - sent);
                    if (chunk <= 0) {
                        done = true;
                        subscriber.onComplete();
                        return;
                    }
                    sent += chunk;
                    subscriber.onNext(ByteBuffer.allocate((int) chunk));
                }
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }
}
