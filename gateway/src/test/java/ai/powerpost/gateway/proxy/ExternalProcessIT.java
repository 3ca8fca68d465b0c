package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayProcess;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.MisbehavingUpstream;
import ai.powerpost.gateway.support.RecordingUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    private static GatewayProcess start(String upstream) {
        return GatewayProcess.start(upstream, Map.of(), List.of("-Xmx256m"));
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
        try (GatewayProcess gateway = start(RECORDING.uri())) {
            int port = gateway.port();
            String key = createKey(gateway.managementPort());
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
            assertThat(gateway.process().isAlive()).isTrue();
        }
    }

    @Test
    void sigtermLetsTheInFlightRequestFinishThenExitsZero() throws Exception {
        GatewayProcess started = start(SLOW.uri());
        Process gateway = started.process();
        int port = started.port();
        String key = createKey(started.managementPort());
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
        started.close();
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
