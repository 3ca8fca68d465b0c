package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.errors.ApiError;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHeadTest {

    private static HttpRequest request(String target, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/v1/posts/p_1",
                "/api/v1/posts?cursor=a%2Fb&limit=10",
                "/a:b@c!$&'()*+,;=~.-_",
                "*",
                "http://host.example/api/v1/posts/x"
            })
    void servableTargets(String target) {
        assertThat(RequestHead.isValidTarget(target)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "/a%",
                "/a%2",
                "/a%zz",
                "/a b",
                "/a\\b",
                "/a|b",
                "/a#f",
                "/a[b]",
                "/a\u00e9",
                "/a\u0001",
                "http://host/a b",
                "http://[bad"
            })
    void refusedTargets(String target) {
        assertThat(RequestHead.isValidTarget(target)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Transfer-Encoding|chunked|",
                "Transfer-Encoding|Chunked|",
                "Content-Length|0|",
                "Content-Length|0042|",
                "Transfer-Encoding|xchunked|BAD_TRANSFER_ENCODING",
                "Transfer-Encoding|gzip, chunked|BAD_TRANSFER_ENCODING",
                "Transfer-Encoding|identity|BAD_TRANSFER_ENCODING",
                "Content-Length|+1|BAD_CONTENT_LENGTH",
                "Content-Length|1,1|BAD_CONTENT_LENGTH",
                "Content-Length|1 1|BAD_CONTENT_LENGTH"
            })
    void framingHeaders(String name, String value, String refusal) {
        ApiError expected = refusal == null
                ? null
                : refusal.equals("BAD_TRANSFER_ENCODING")
                        ? ApiError.BAD_TRANSFER_ENCODING
                        : ApiError.BAD_CONTENT_LENGTH;
        assertThat(RequestHead.refusal(request("/x", name, value))).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void transferEncodingTwiceOrBesideContentLengthIsRefused() {
        assertThat(RequestHead.refusal(request("/x", "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked")))
                .isEqualTo(ApiError.BAD_TRANSFER_ENCODING);
        assertThat(RequestHead.refusal(request("/x", "Transfer-Encoding", "chunked", "Content-Length", "5")))
                .isEqualTo(ApiError.BAD_TRANSFER_ENCODING);
        assertThat(RequestHead.refusal(request("/x", "Content-Length", "5", "Content-Length", "5")))
                .isEqualTo(ApiError.BAD_CONTENT_LENGTH);
        assertThat(RequestHead.refusal(new DefaultHttpRequest(HttpVersion.valueOf("HTTP/2.0"), HttpMethod.GET, "/x")))
                .isEqualTo(ApiError.HTTP_VERSION_NOT_SUPPORTED);
    }
}
