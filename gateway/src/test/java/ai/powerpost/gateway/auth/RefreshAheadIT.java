package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Refresh ahead against the real Redis (docs/key-cache.md, "Refresh ahead"): a known key past its
 * re-read age ({@code gateway.keys.max-age}, 1 s here) is answered from the cache while Redis is
 * paused ({@code CLIENT PAUSE}), with one background re-read however many requests come; the
 * re-read's answer replaces the entry (a key deleted without any message is refused next); and a
 * re-read that read Redis before a revocation never puts the revoked key back.
 *
 * <p>"Answered while Redis is paused" is shown by order, not by timing: a {@code PING} sent on its
 * own connection right after the pause has no reply yet when the requests have been answered.
 */
class RefreshAheadIT {

    private static final long REREAD_AGE_MILLIS = 1000;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(UPSTREAM, Map.of("gateway.keys.max-age", REREAD_AGE_MILLIS + "ms"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
    }

    @Test
    void aKnownKeyPastItsReReadAgeIsAnsweredWhileRedisIsPausedAndReReadOnce() throws Exception {
        Key key = newKey();
        assertThat(status(key)).isEqualTo(200); // cached
        Thread.sleep(REREAD_AGE_MILLIS + 200); // past the re-read age: the test's own thread waits
        String hash = ApiKeys.hash(key.secret());
        try (RedisMonitor monitor = new RedisMonitor();
                PausedRedis paused = PausedRedis.pause(2000)) {
            for (int i = 0; i < 5; i++) {
                assertThat(status(key)).isEqualTo(200);
            }
            assertThat(paused.stillPaused())
                    .as("every request was answered while Redis could not answer anything")
                    .isTrue();
            paused.awaitEnd();
            List<String> reads = monitor.clientCommandsSoFar().stream()
                    .filter(command -> command.startsWith("\"hgetall\"") && command.contains(hash))
                    .toList();
            assertThat(reads).as("one background re-read, not one per request").hasSize(1);
        }
        assertThat(status(key)).isEqualTo(200); // confirmed by the re-read
    }

    @Test
    void aReReadThatFindsTheKeyGoneReplacesItSoTheNextRequestsAreRefused() throws Exception {
        Key key = newKey();
        assertThat(status(key)).isEqualTo(200);
        // The record disappears without any message reaching the gateway.
        RedisSupport.redis().commands().del("ppgw:key:{" + ApiKeys.hash(key.secret()) + "}");
        Thread.sleep(REREAD_AGE_MILLIS + 200);
        // Past its re-read age the next request is still served from the cache (unless a slow
        // machine made an earlier one start the re-read already) and starts the re-read, whose
        // answer, "no such key", replaces the entry.
        long deadline = System.currentTimeMillis() + 5000;
        int status;
        do {
            status = status(key);
        } while (status == 200 && System.currentTimeMillis() < deadline);
        assertThat(status).isEqualTo(401);
        for (int i = 0; i < 5; i++) {
            assertThat(status(key)).isEqualTo(401);
        }
    }

    @Test
    void aReReadThatReadRedisBeforeARevocationNeverPutsTheKeyBack() throws Exception {
        Key key = newKey();
        String hash = ApiKeys.hash(key.secret());
        assertThat(status(key)).isEqualTo(200);
        Thread.sleep(REREAD_AGE_MILLIS + 200);
        try (PausedRedis paused = PausedRedis.pause(1500)) {
            assertThat(status(key)).isEqualTo(200); // starts the re-read; Redis holds it
            // The revocation, while the re-read is held: the record goes (queued behind the re-read,
            // so the re-read still finds the key valid) and the announcement reaches this replica.
            paused.sendLater("DEL", "ppgw:key:{" + hash + "}");
            gateway.bean(ApiKeyStore.class).invalidateKey(hash);
            paused.awaitEnd();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(status(key)).as("request %d after the revocation", i).isEqualTo(401);
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Key(String account, String id, String secret) {}

    /**
     * Redis paused for every client ({@code CLIENT PAUSE ... ALL}), with a connection of its own
     * whose {@code PING}, sent right after the pause, is answered only when the pause ends.
     */
    private static final class PausedRedis implements AutoCloseable {
        private final Socket probe;
        private final InputStream in;
        private final OutputStream out;

        private PausedRedis(Socket probe) throws IOException {
            this.probe = probe;
            this.in = probe.getInputStream();
            this.out = probe.getOutputStream();
        }

        static PausedRedis pause(long millis) throws IOException {
            Socket probe = new Socket("127.0.0.1", RedisSupport.redis().port());
            RedisSupport.redis().commands().clientPause(millis);
            PausedRedis paused = new PausedRedis(probe);
            paused.send("PING");
            return paused;
        }

        /** Queues a command on the probe connection (executed when the pause ends, after the PING). */
        void sendLater(String... command) throws IOException {
            send(command);
        }

        private void send(String... command) throws IOException {
            StringBuilder resp = new StringBuilder("*").append(command.length).append("\r\n");
            for (String part : command) {
                resp.append('$')
                        .append(part.length())
                        .append("\r\n")
                        .append(part)
                        .append("\r\n");
            }
            out.write(resp.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Whether the PING is still unanswered. */
        boolean stillPaused() throws IOException {
            return in.available() == 0;
        }

        /** Blocks (the test's thread) until the PING is answered: the pause is over. */
        void awaitEnd() throws IOException {
            int first = in.read();
            assertThat((char) first).isEqualTo('+');
        }

        @Override
        public void close() throws IOException {
            probe.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Key newKey() {
        String account = "acct_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "refresh ahead", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new Key(account, (String) created.get("id"), (String) created.get("key"));
    }

    /** The status of a request with the key, its body consumed. */
    private static int status(Key key) {
        WebTestClient.ResponseSpec response = gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key.secret())
                .exchange();
        return response.expectBody().returnResult().getStatus().value();
    }
}
