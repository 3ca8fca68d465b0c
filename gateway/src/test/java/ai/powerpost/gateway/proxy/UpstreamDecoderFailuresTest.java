package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behind Netty's own HTTP client codec: a response it cannot decode always reports a
 * {@link DecoderException}, whatever its parser threw; what it already reports as one, and what
 * decodes well, pass untouched.
 */
class UpstreamDecoderFailuresTest {

    private EmbeddedChannel channel;

    private final List<Object> decoded = new ArrayList<>();

    @BeforeEach
    void channel() {
        // where UpstreamDecoderFailures.install puts it: right after the HTTP codec
        channel = new EmbeddedChannel(new HttpClientCodec(), UpstreamDecoderFailures.INSTANCE);
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ReferenceCountUtil.release(channel.readOutbound());
    }

    @AfterEach
    void close() {
        decoded.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void statusCodeThatIsNotANumberIsADecoderExceptionKeepingTheCause() {
        Object response = decode("HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}");

        assertThat(response).isInstanceOf(HttpResponse.class);
        Throwable cause = ((DecoderResultProvider) response).decoderResult().cause();
        assertThat(cause).isExactlyInstanceOf(DecoderException.class).hasCauseInstanceOf(NumberFormatException.class);
    }

    @Test
    void statusLineThatIsNotHttpIsADecoderException() {
        Throwable cause = ((DecoderResultProvider) decode("garbage\r\n\r\n"))
                .decoderResult()
                .cause();

        assertThat(cause)
                .isExactlyInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void twoDifferingContentLengthsAreADecoderException() {
        Throwable cause = ((DecoderResultProvider)
                        decode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"))
                .decoderResult()
                .cause();

        assertThat(cause)
                .isExactlyInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunkSizeThatIsNotHexIsADecoderExceptionOnTheContent() {
        Object response = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        assertThat(((DecoderResultProvider) response).decoderResult().isSuccess())
                .isTrue();

        Object content = channel.readInbound();
        decoded.add(content);

        assertThat(content).isInstanceOf(LastHttpContent.class);
        assertThat(((DecoderResultProvider) content).decoderResult().cause())
                .isExactlyInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(NumberFormatException.class);
    }

    @Test
    void whatNettyAlreadyReportsAsADecoderExceptionIsLeftAsItIs() {
        Throwable cause = ((DecoderResultProvider)
                        decode("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"))
                .decoderResult()
                .cause();

        assertThat(cause).isExactlyInstanceOf(TooLongHttpHeaderException.class);
    }

    @Test
    void aWellFormedResponseIsUntouched() {
        Object response = decode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");

        assertThat(((DecoderResultProvider) response).decoderResult().isSuccess())
                .isTrue();
        assertThat(((HttpResponse) response).status().code()).isEqualTo(200);
    }

    /** Feeds {@code bytes} to the codec and returns the first message it decoded (released after the test). */
    private Object decode(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        Object first = channel.readInbound();
        assertThat(first).isNotNull();
        decoded.add(first);
        return first;
    }
}
