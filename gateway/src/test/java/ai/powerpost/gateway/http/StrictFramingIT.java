package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.FramingUpstream;
import ai.powerpost.gateway.support.RawHttp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request framing as an attacker sends it (RFC 9112 §6), on raw sockets: what the client got, that
 * the connection was closed, and what the upstream recorded. A loosely read framing header is the
 * request-smuggling class: the body of one request read as the next one.
 */
class StrictFramingIT extends HttpLayerTest {

    /** The smuggled request hidden in the body: it must never reach the upstream. */
    private static String smuggled(String marker) {
        return "GET /api/v1/posts/" + marker + "-smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + fixture.key
                + "\r\nX-Workspace-Id: " + HttpLayerFixture.WORKSPACE + "\r\n\r\n";
    }

    private static void assertRefusedAndClosed(RawHttp.Conn conn, int status, String marker) {
        RawHttp.Response response = conn.read();
        assertThat(response.status()).as("%s", response).isEqualTo(status);
        assertThat(response.errorCode()).as("%s", response).isEqualTo("VALIDATION_ERROR");
        assertThat(response.header("content-type")).isEqualTo("application/json");
        assertThat(response.header("connection")).isEqualToIgnoringCase("close");
        assertThat(conn.closesWithin(3000))
                .as("connection closed after the framing error")
                .isTrue();
        assertNothingReached(marker);
    }

    private static void assertNothingReached(String marker) {
        // a request on its own connection after the bad one: once it is recorded, the bad one would have been too
        String control = HttpLayerFixture.marker();
        RawHttp.Response ok = RawHttp.send(
                fixture.port,
                (fixture.head("GET", "/api/v1/posts/" + control) + "Connection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(ok.status()).as("%s", ok).isEqualTo(200);
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + marker))
                .as("upstream saw nothing of it")
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Transfer-Encoding: xchunked",
                "Transfer-Encoding: chunkedx",
                "Transfer-Encoding: identity",
                "Transfer-Encoding: gzip, chunked",
                "Transfer-Encoding: chunked, chunked",
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding: chunked\r\nContent-Length: 5",
                "Content-Length: 5\r\nTransfer-Encoding: xchunked",
                "Transfer-Encoding:\tchunked\u000b",
                "Content-Length: +5",
                "Content-Length: -5",
                "Content-Length: 5, 5",
                "Content-Length: 5\r\nContent-Length: 5",
                "Content-Length: 5\r\nContent-Length: 6",
                "Content-Length: 5 5",
                "Content-Length: 0x5",
                "Content-Length: 99999999999999999999"
            })
    void looselyFramedRequestsAre400ClosedAndNeverReachTheUpstream(String framing) {
        String marker = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("POST", "/api/v1/posts/" + marker + "/publish") + framing + "\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n" + smuggled(marker));
            assertRefusedAndClosed(conn, 400, marker);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/v1/posts/a%zz",
                "/api/v1/posts/a%2",
                "/api/v1/posts/a\\b",
                "/api/v1/posts/a|b",
                "/api/v1/posts/a\"b",
                "/api/v1/posts/a{b}",
                "/api/v1/posts/a^b",
                "/api/v1/posts/a`b",
                "/api/v1/posts/a#frag",
                "/api/v1/posts/caf\u00e9",
                "/api/v1/posts/a[b]"
            })
    void unparseableTargetsAre400JsonAndClosed(String target) {
        String marker = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", target.replace("/posts/", "/posts/" + marker)) + "\r\n");
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(400);
            assertThat(response.body())
                    .isEqualTo("{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"Malformed request target\"}}");
            assertThat(conn.closesWithin(3000)).isTrue();
        }
        assertNothingReached(marker);
    }

    @Test
    void oversizedRequestLineAndHeaderBlockGetJson414And431() {
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write("GET /api/v1/posts/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(414);
            assertThat(response.errorCode()).isEqualTo("VALIDATION_ERROR");
        }
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/x") + "X-Big: " + "b".repeat(20_000) + "\r\n\r\n");
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(431);
            assertThat(response.errorCode()).isEqualTo("VALIDATION_ERROR");
        }
    }

    @Test
    void http2PriorKnowledgeIsRefusedThePublicPortSpeaksHttp11Only() {
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(505);
            assertThat(response.errorCode()).isEqualTo("VALIDATION_ERROR");
            assertThat(conn.closesWithin(3000)).isTrue();
        }
    }

    @Test
    void http10RequestsMeetTheSameChecks() {
        String marker = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write("GET /api/v1/posts/" + marker + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(401);
            assertThat(response.errorCode()).isEqualTo("INVALID_API_KEY");
        }
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(
                    fixture.head("POST", "/api/v1/posts/" + marker + "/publish").replace("HTTP/1.1", "HTTP/1.0")
                            + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled(marker));
            assertRefusedAndClosed(conn, 400, marker);
        }
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + marker + "ok").replace("HTTP/1.1", "HTTP/1.0") + "\r\n");
            assertThat(conn.read().status()).isEqualTo(200);
        }
    }

    @Test
    void obsoleteLineFoldingIsUnfoldedIntoOneHeader() {
        String marker = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("GET", "/api/v1/posts/" + marker)
                    + "X-Folded: first\r\n  second\r\nConnection: close\r\n\r\n");
            assertThat(conn.read().status()).isEqualTo(200);
        }
        List<FramingUpstream.Received> received = fixture.upstream.receivedUnder("/api/v1/posts/" + marker);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).headers().get("x-folded")).containsExactly("first second");
    }

    @Test
    void wellFramedChunkedAndFixedLengthBodiesArriveCompleteAndTheConnectionStaysOpen() {
        String marker = HttpLayerFixture.marker();
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(fixture.head("POST", "/api/v1/posts/" + marker + "a/publish")
                    + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertThat(conn.read().status()).isEqualTo(200);
            conn.write(fixture.head("POST", "/api/v1/posts/" + marker + "b/publish")
                    + "Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}");
            assertThat(conn.read().status()).isEqualTo(200);
        }
        assertThat(fixture.upstream.awaitUnder("/api/v1/posts/" + marker + "a", Duration.ofSeconds(2)))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.complete()).isTrue();
                    assertThat(r.bodyBytes()).isEqualTo(5);
                });
        assertThat(fixture.upstream.receivedUnder("/api/v1/posts/" + marker + "b"))
                .singleElement()
                .satisfies(r -> assertThat(r.complete()).isTrue());
    }
}
