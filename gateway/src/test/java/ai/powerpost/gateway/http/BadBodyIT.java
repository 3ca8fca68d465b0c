package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.FramingUpstream;
import ai.powerpost.gateway.support.RawHttp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No phantom requests: every way a request body can end badly, on a raw socket, and what the
 * upstream recorded. The upstream may have seen the start of the request, but never a complete
 * one (a publish would run while the client is told it failed, and its retry would publish twice).
 */
class BadBodyIT extends HttpLayerTest {

    private static void assertNeverCompleteUpstream(String prefix) {
        // give the gateway time to have sent whatever it was going to send
        List<FramingUpstream.Received> received = fixture.upstream.awaitUnder(prefix, Duration.ofSeconds(2));
        assertThat(received)
                .as("the upstream never received a complete request")
                .noneMatch(FramingUpstream.Received::complete);
        assertThat(received).hasSizeLessThanOrEqualTo(1);
    }

    private static void assertAnswered(RawHttp.Conn conn, int status, String code) {
        RawHttp.Response response = conn.read();
        assertThat(response.status()).as("%s", response).isEqualTo(status);
        assertThat(response.errorCode()).as("%s", response).isEqualTo(code);
        assertThat(response.header("connection")).isEqualToIgnoringCase("close");
        assertThat(conn.closesWithin(3000)).as("closed after the answer").isTrue();
    }

    @Test
    void chunkedBodyThatTurnsMalformedIs400AndNeverCompletedUpstream() {
        String path = "/api/v1/posts/" + HttpLayerFixture.marker() + "/publish";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("POST", path)
                    + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n" + "5\r\nhello\r\n");
            fixture.upstream.awaitUnder(path, Duration.ofMillis(300));
            conn.write("ZZ\r\nnot a chunk\r\n0\r\n\r\n");
            assertAnswered(conn, 400, "VALIDATION_ERROR");
        }
        assertNeverCompleteUpstream(path);
    }

    @Test
    void clientThatDisconnectsMidBodyNeverBecomesACompleteRequestUpstream() {
        String path = "/api/v1/media/upload?m=" + HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("POST", path)
                    + "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n");
            conn.write(new byte[30_000]);
            fixture.upstream.awaitUnder(path, Duration.ofMillis(500));
        }
        assertNeverCompleteUpstream(path);
    }

    @Test
    void chunkedClientThatDisconnectsMidBodyNeverBecomesACompleteRequestUpstream() {
        String path = "/api/v1/posts/" + HttpLayerFixture.marker() + "/publish";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(
                    fixture.head("POST", path) + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                            + "5\r\nhello\r\n10\r\nhalf");
            fixture.upstream.awaitUnder(path, Duration.ofMillis(500));
        }
        assertNeverCompleteUpstream(path);
    }

    @Test
    void chunkedBodyOverTheRouteLimitIs413AndNeverCompletedUpstream() {
        String path = "/api/v1/posts?m=" + HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("POST", path)
                    + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n");
            String chunk = Integer.toHexString(64 * 1024) + "\r\n" + "x".repeat(64 * 1024) + "\r\n";
            for (int i = 0; i < 20 && conn.write(chunk); i++) {
                // 1.25 MB over a 1 MB limit, and no end: the gateway may stop reading once it has answered
            }
            assertAnswered(conn, 413, "PAYLOAD_TOO_LARGE");
        }
        assertNeverCompleteUpstream(path);
    }

    @Test
    void chunkedBodyOverTheLimitButCompleteIs413AndTheConnectionCanStayOpen() {
        String path = "/api/v1/posts?m=" + HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            String chunk = Integer.toHexString(64 * 1024) + "\r\n" + "x".repeat(64 * 1024) + "\r\n";
            conn.write(
                    fixture.head("POST", path) + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                            + chunk.repeat(20) + "0\r\n\r\n");
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(413);
            assertThat(response.errorCode()).isEqualTo("PAYLOAD_TOO_LARGE");
        }
        assertNeverCompleteUpstream(path);
    }

    @Test
    void bodyThatStopsIs408AfterTheBodyIdleTimeoutAndNeverCompletedUpstream() {
        String path = "/api/v1/posts/" + HttpLayerFixture.marker() + "/publish";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            long start = System.nanoTime();
            conn.write(fixture.head("POST", path)
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":");
            assertAnswered(conn, 408, "REQUEST_TIMEOUT");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMillis)
                    .as("answered after the 1 s body idle timeout, not long after")
                    .isBetween(900L, 6000L);
        }
        assertNeverCompleteUpstream(path);
    }

    @Test
    void bodyTricklingUnderTheMinimumRateIs408AndNeverCompletedUpstream() throws InterruptedException {
        String path = "/api/v1/posts/" + HttpLayerFixture.marker() + "/publish";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("POST", path) + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
            // one byte every 100 ms: never idle for the 1 s timeout, but far under 200 B/s
            boolean open = true;
            for (int i = 0; i < 60 && open; i++) {
                open = conn.write("x");
                Thread.sleep(100);
                if (i == 30) {
                    break;
                }
            }
            assertAnswered(conn, 408, "REQUEST_TIMEOUT");
        }
        assertNeverCompleteUpstream(path);
    }

    @Test
    void earlyDenialOfAnUploadIsReadByTheClientAndTheRestIsNeverAPhantom() {
        String path = "/api/v1/media/upload?m=" + HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            // the read-only key may not upload: answered at once, while the client is still sending
            conn.write("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + fixture.draftKey
                    + "\r\nX-Workspace-Id: " + HttpLayerFixture.WORKSPACE
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000000\r\n\r\n");
            for (int i = 0; i < 10; i++) {
                conn.write(new byte[100_000]);
            }
            assertAnswered(conn, 403, "INSUFFICIENT_SCOPE");
        }
        assertThat(fixture.upstream.receivedUnder(path)).isEmpty();
    }
}
