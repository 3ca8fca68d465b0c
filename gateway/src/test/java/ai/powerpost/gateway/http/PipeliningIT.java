package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.RawHttp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Requests sent back to back on one connection, in one write: every one is answered, in order,
 * whether proxied, denied or refused; a framing error, or a request that says
 * {@code Connection: close}, ends the connection after the answers before it (and its own), and
 * nothing after it is served. {@link PipeliningJarIT} runs the same cases against the packaged jar.
 */
class PipeliningIT extends HttpLayerTest {

    private static List<Integer> statuses(RawHttp.Conn conn, int n) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawHttp.Response response = conn.read();
            statuses.add(response.status());
            if (!response.answered()) {
                break;
            }
        }
        return statuses;
    }

    @Test
    void threeProxiedRequestsAreAllAnsweredInOrder() {
        String m = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + m + "1") + "\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "2") + "\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "3") + "\r\n");
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawHttp.Response response = conn.read();
                assertThat(response.status())
                        .as("response %d: %s", i + 1, response)
                        .isEqualTo(200);
                bodies.add(response.body());
            }
        }
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + m))
                .extracting(r -> r.target())
                .containsExactly("/api/v1/posts/" + m + "1", "/api/v1/posts/" + m + "2", "/api/v1/posts/" + m + "3");
    }

    @Test
    void proxiedDeniedAndRefusedRequestsAreAllAnsweredInOrder() {
        String m = HttpLayerFixture.marker();
        String noKey = "GET /api/v1/account/credits HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        String badKey = "GET /api/v1/account/credits HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: pp_live_sk_"
                + "unknown".repeat(5) + "\r\n\r\n";
        String readOnlyPublish =
                "POST /api/v1/posts/" + m + "x/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + fixture.draftKey
                        + "\r\nX-Workspace-Id: " + HttpLayerFixture.WORKSPACE + "\r\nContent-Length: 2\r\n\r\n{}";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + m + "1") + "\r\n"
                    + noKey
                    + fixture.head("GET", "/api/v1/nothing/here") + "\r\n"
                    + badKey
                    + fixture.head("DELETE", "/api/v1/account/credits") + "\r\n"
                    + readOnlyPublish
                    + fixture.head("POST", "/api/v1/posts/" + m + "2/publish") + "Content-Length: 2\r\n\r\n{}"
                    + "GET /api/v1/posts/" + m + "3 HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + fixture.key
                    + "\r\n\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "4") + "\r\n");
            assertThat(statuses(conn, 9)).containsExactly(200, 401, 404, 401, 405, 403, 200, 400, 200);
        }
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + m))
                .extracting(r -> r.target())
                .containsExactly(
                        "/api/v1/posts/" + m + "1", "/api/v1/posts/" + m + "2/publish", "/api/v1/posts/" + m + "4");
    }

    @Test
    void aFramingErrorAmongPipelinedRequestsIsAnsweredInItsTurnAndNothingAfterItIsRead() {
        String m = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + m + "1") + "\r\n"
                    + fixture.head("POST", "/api/v1/posts/" + m + "2/publish") + "Transfer-Encoding: xchunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "3") + "\r\n");
            assertThat(statuses(conn, 3)).containsExactly(200, 400, -1);
        }
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + m))
                .extracting(r -> r.target())
                .containsExactly("/api/v1/posts/" + m + "1");
    }

    @Test
    void aPipelinedRequestAskingToCloseIsAnsweredAfterThoseBeforeItThenTheConnectionCloses() {
        String m = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + m + "1") + "\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "2") + "\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "3") + "Connection: close\r\n\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "4") + "\r\n");
            for (int i = 1; i <= 3; i++) {
                RawHttp.Response response = conn.read();
                assertThat(response.status()).as("response %d: %s", i, response).isEqualTo(200);
                if (i < 3) {
                    assertThat(response.header("connection"))
                            .as("response %d: %s", i, response)
                            .isNotEqualToIgnoringCase("close");
                } else {
                    assertThat(response.header("connection"))
                            .as("response %d: %s", i, response)
                            .isEqualToIgnoringCase("close");
                }
            }
            assertThat(conn.closesWithin(3000))
                    .as("closed after the answer to the request that asked")
                    .isTrue();
        }
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + m))
                .extracting(r -> r.target())
                .containsExactly("/api/v1/posts/" + m + "1", "/api/v1/posts/" + m + "2", "/api/v1/posts/" + m + "3");
    }

    @Test
    void aDeniedPipelinedRequestAskingToCloseIsAnsweredInItsTurnAndNothingAfterItIsServed() {
        String m = HttpLayerFixture.marker();
        String noKeyClose = "GET /api/v1/account/credits HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + m + "1") + "\r\n"
                    + noKeyClose
                    + fixture.head("GET", "/api/v1/posts/" + m + "3") + "\r\n");
            assertThat(statuses(conn, 3)).containsExactly(200, 401, -1);
        }
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + m))
                .extracting(r -> r.target())
                .containsExactly("/api/v1/posts/" + m + "1");
    }

    @Test
    void nothingAfterAFirstRequestAskingToCloseIsServed() {
        String m = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + m + "1") + "Connection: close\r\n\r\n"
                    + fixture.head("GET", "/api/v1/posts/" + m + "2") + "\r\n");
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(conn.read().answered()).isFalse();
        }
        fixture.upstream.awaitUnder("/api/v1/posts/" + m + "2", java.time.Duration.ofMillis(300));
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + m))
                .extracting(r -> r.target())
                .containsExactly("/api/v1/posts/" + m + "1");
    }
}
