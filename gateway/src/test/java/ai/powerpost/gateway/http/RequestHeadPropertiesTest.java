package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.errors.ApiError;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any framing header and any target: a clean verdict, never an exception, and only the strict forms pass. */
class RequestHeadPropertiesTest {

    private static HttpRequest post(String name, String value) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x", false);
        request.headers().add(name, value);
        return request;
    }

    @Property(tries = 3000)
    void onlyExactlyChunkedPassesAsATransferEncoding(@ForAll("codings") String value) {
        ApiError refusal = RequestHead.refusal(post("Transfer-Encoding", value));
        assertThat(refusal == null).as("'%s'", value).isEqualTo("chunked".equalsIgnoreCase(value.trim()));
    }

    @Property(tries = 3000)
    void onlyPlainDecimalNumbersPassAsAContentLength(@ForAll("lengths") String value) {
        ApiError refusal = RequestHead.refusal(post("Content-Length", value));
        assertThat(refusal == null).as("'%s'", value).isEqualTo(value.matches("[0-9]{1,18}"));
    }

    /** Spring's adapter parses an origin-form target after the scheme and host: so does this oracle. */
    @Property(tries = 5000)
    void everyOriginFormTargetThatPassesIsOneSpringsAdapterCanParse(@ForAll("targets") String target) {
        if (RequestHead.isValidTarget(target)) {
            assertThat(parses("http://127.0.0.1" + target))
                    .as("'%s' passed but URI cannot parse it", target)
                    .isTrue();
        }
    }

    @Property(tries = 2000)
    void anyStringIsAVerdictNeverAnException(@ForAll String target) {
        RequestHead.isValidTarget(target);
    }

    private static boolean parses(String target) {
        try {
            new URI(target);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    @Provide
    Arbitrary<String> codings() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "chunked",
                        "Chunked",
                        "CHUNKED",
                        " chunked",
                        "xchunked",
                        "chunkedx",
                        "identity",
                        "gzip",
                        "gzip, chunked",
                        "chunked, chunked",
                        "chunked;q=1",
                        "chunked,",
                        ",chunked",
                        "chunked\t"),
                Arbitraries.strings().withChars("chunkedCHUNKED ,;\t=xgzip").ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> lengths() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "0",
                        "5",
                        "0042",
                        "+5",
                        "-5",
                        "5,5",
                        "5, 5",
                        "5 5",
                        "0x5",
                        "5.0",
                        "99999999999999999999",
                        "1e3"),
                Arbitraries.strings()
                        .withChars("0123456789+-, .xe")
                        .ofMinLength(1)
                        .ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> targets() {
        return Arbitraries.strings()
                .withChars("/abc09%2Fz?&=#\\|{}[]^`\"<> .~-_:@!$'()*+,;é\u0001")
                .ofMaxLength(24)
                .map(s -> "/" + s);
    }
}
