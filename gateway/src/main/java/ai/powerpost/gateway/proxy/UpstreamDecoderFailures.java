package ai.powerpost.gateway.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;

/**
 * Makes every failure of the HTTP client's response decoder a Netty {@link CodecException}, so
 * "the upstream's answer could not be read" is told by type alone at the error boundary
 * (a 502, see {@code JsonErrorWebExceptionHandler}).
 *
 * <p>Netty reports a response it cannot decode through the message's {@link DecoderResult}, with
 * whatever its parser threw: a {@code TooLongHttpHeaderException} or another
 * {@link DecoderException} for an oversized head or contradictory framing, but a bare
 * {@link NumberFormatException} for a status code or a chunk size that is not a number, and an
 * {@link IllegalArgumentException} for a status line that is not HTTP or two differing
 * {@code Content-Length}s. Reactor Netty hands that cause on as it is, and those two JDK types are
 * far too general to be read as "the upstream is broken" anywhere else. This handler sits right
 * after the client's HTTP codec and wraps such a cause in a {@link DecoderException} (the original
 * kept as its cause), before Reactor Netty reads the result.
 *
 * <p>Per message it costs one type check and one field read; it allocates only for a failed
 * message. Stateless, so one instance serves every connection.
 */
@ChannelHandler.Sharable
final class UpstreamDecoderFailures extends ChannelInboundHandlerAdapter {

    static final String NAME = "powerpost.upstreamDecoderFailures";
    static final UpstreamDecoderFailures INSTANCE = new UpstreamDecoderFailures();

    private UpstreamDecoderFailures() {}

    /** {@code client}, with this handler after the HTTP/1.1 codec of each connection it opens. */
    static HttpClient install(HttpClient client) {
        return client.doOnChannelInit((observer, channel, address) -> {
            ChannelPipeline pipeline = channel.pipeline();
            // HTTP/1.1 only: an HTTP/2 connection decodes in its own frames, and has no such codec
            if (pipeline.get(NettyPipeline.HttpCodec) != null && pipeline.get(NAME) == null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, NAME, INSTANCE);
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DecoderResultProvider decoded) {
            DecoderResult result = decoded.decoderResult();
            if (result.isFailure() && !(result.cause() instanceof CodecException)) {
                decoded.setDecoderResult(DecoderResult.failure(new DecoderException(result.cause())));
            }
        }
        ctx.fireChannelRead(msg);
    }
}
