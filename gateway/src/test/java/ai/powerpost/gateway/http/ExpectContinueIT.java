package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.FramingUpstream;
import ai.powerpost.gateway.support.RawHttp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Expect: 100-continue}: a client that waits for the go-ahead before sending its body gets
 * {@code 100 Continue} only once the request has passed the gateway's checks; a request the
 * gateway refuses is answered at once, final status and {@code Connection: close}, with no
 * {@code 100} before it, so the client never sends a body nobody will read, and nothing of it
 * reaches the upstream. {@link ExpectContinueJarIT} runs the same cases against the packaged jar.
 */
class ExpectContinueIT extends HttpLayerTest {

    private static final String BODY = "{\"caption\":\"hello\"}";

    private static String expecting(String head) {
        return head + "Content-Type: application/json\r\nContent-Length: " + BODY.length()
                + "\r\nExpect: 100-continue\r\n\r\n";
    }

    @Test
    void aCheckedRequestGets100ContinueThenItsAnswerAndTheUpstreamTheWholeBody() {
        String path = "/api/v1/posts/" + HttpLayerFixture.marker() + "/publish";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(expecting(fixture.head("POST", path)));
            RawHttp.Response interim = conn.read();
            assertThat(interim.status()).as("%s", interim).isEqualTo(100);
            conn.write(BODY);
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.header("connection")).isNotEqualToIgnoringCase("close");
        }
        List<FramingUpstream.Received> received = fixture.upstream.awaitUnder(path, Duration.ofSeconds(2));
        assertThat(received).hasSize(1);
        assertThat(received.get(0).complete()).isTrue();
        assertThat(received.get(0).bodyBytes()).isEqualTo(BODY.length());
    }

    @Test
    void aRefusedRequestIsAnsweredWithoutA100AndNothingReachesTheUpstream() {
        String path = "/api/v1/posts/" + HttpLayerFixture.marker() + "/publish";
        String badKey = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: pp_live_sk_" + "unknown".repeat(5)
                + "\r\nX-Workspace-Id: " + HttpLayerFixture.WORKSPACE + "\r\n";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(expecting(badKey));
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(401);
            assertThat(response.errorCode()).isEqualTo("INVALID_API_KEY");
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(conn.closesWithin(3000)).isTrue();
        }
        assertThat(fixture.upstream.awaitUnder(path, Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void aDeniedScopeIsAnsweredWithoutA100() {
        String path = "/api/v1/posts/" + HttpLayerFixture.marker() + "/publish";
        String readOnly = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + fixture.draftKey
                + "\r\nX-Workspace-Id: " + HttpLayerFixture.WORKSPACE + "\r\n";
        try (RawHttp.Conn conn = RawHttp.open(fixture.port)) {
            conn.write(expecting(readOnly));
            RawHttp.Response response = conn.read();
            assertThat(response.status()).as("%s", response).isEqualTo(403);
            assertThat(response.errorCode()).isEqualTo("INSUFFICIENT_SCOPE");
        }
        assertThat(fixture.upstream.awaitUnder(path, Duration.ofMillis(500))).isEmpty();
    }
}
