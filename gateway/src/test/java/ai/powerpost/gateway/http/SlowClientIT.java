package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slow and silent clients (slowloris), with the timeouts set short (1 s header timeout, 3 s
 * keep-alive idle timeout): each is dropped in time, counted on the gateway's side of the socket,
 * and a few hundred of them do not slow valid traffic.
 */
class SlowClientIT extends HttpLayerTest {

    @Test
    void partialHeadIs408AndClosedAfterTheHeaderTimeout() {
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            long start = System.nanoTime();
            conn.write("GET /api/v1/posts/x HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            RawHttp.Response response = conn.read();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(response.status()).as("%s", response).isEqualTo(408);
            assertThat(response.errorCode()).isEqualTo("REQUEST_TIMEOUT");
            assertThat(tookMillis).isBetween(900L, 6000L);
            assertThat(conn.closesWithin(3000)).isTrue();
        }
    }

    @Test
    void silentConnectionIsClosedWithoutAnAnswerAfterTheHeaderTimeout() {
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            assertThat(conn.read().answered())
                    .as("no answer to a connection that sent nothing")
                    .isFalse();
        }
    }

    @Test
    void headSentOneByteAtATimeIsCutAtTheHeaderTimeoutAlthoughBytesKeepComing() throws InterruptedException {
        String head = fixture.head("GET", "/api/v1/posts/" + HttpLayerFixture.marker()) + "\r\n";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            long start = System.nanoTime();
            boolean open = true;
            for (int i = 0; i < head.length() - 1 && open && System.nanoTime() - start < 8_000_000_000L; i++) {
                open = conn.write(head.substring(i, i + 1));
                Thread.sleep(100);
            }
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMillis).as("cut well before the head was complete").isLessThan(6000L);
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isIn(408, -1);
        }
    }

    @Test
    void idleKeepAliveConnectionOutlivesTheHeaderTimeoutAndClosesAfterTheIdleTimeout() throws InterruptedException {
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + HttpLayerFixture.marker()) + "\r\n");
            assertThat(conn.read().status()).isEqualTo(200);
            Thread.sleep(1500); // past the 1 s header timeout: idle between requests is not a slow head
            conn.write(fixture.head("GET", "/api/v1/posts/" + HttpLayerFixture.marker()) + "\r\n");
            assertThat(conn.read().status()).as("still open and serving").isEqualTo(200);
            long idleFrom = System.nanoTime();
            assertThat(conn.closesWithin(8000))
                    .as("closed by the 3 s idle timeout")
                    .isTrue();
            assertThat((System.nanoTime() - idleFrom) / 1_000_000).isGreaterThan(2500L);
        }
    }

    @Test
    void hundredsOfStalledConnectionsAreDroppedWhileValidRequestsKeepAnsweringInMilliseconds() throws Exception {
        int before = HttpLayerFixture.establishedOn(fixture.port);
        List<RawHttp.Conn> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                RawHttp.Conn conn = RawHttp.open(fixture.port);
                if (i % 2 == 0) {
                    conn.write("GET /api/v1/posts/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ");
                }
                stalled.add(conn);
            }
            assertThat(HttpLayerFixture.establishedOn(fixture.port)).isGreaterThanOrEqualTo(before + 300);

            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long start = System.nanoTime();
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.port + "/api/v1/posts/"
                                        + HttpLayerFixture.marker()))
                                .header("x-api-key", fixture.key)
                                .header("X-Workspace-Id", HttpLayerFixture.WORKSPACE)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                millis.add((System.nanoTime() - start) / 1_000_000);
                assertThat(response.statusCode()).isEqualTo(200);
            }
            millis.sort(Long::compare);
            assertThat(millis.get(millis.size() / 2))
                    .as("median of valid requests beside 300 stalled connections, ms")
                    .isLessThan(250L);

            long deadline = System.nanoTime() + 10_000_000_000L;
            while (HttpLayerFixture.establishedOn(fixture.port) > before + 5 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(HttpLayerFixture.establishedOn(fixture.port))
                    .as("gateway-side sockets after the header timeout")
                    .isLessThanOrEqualTo(before + 5);
        } finally {
            stalled.forEach(RawHttp.Conn::close);
        }
    }
}
