package ai.powerpost.gateway.http;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ApiErrorException;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One connection of the public port, watched from the Netty pipeline. It replaces nothing of
 * Spring's or Reactor Netty's; it adds what neither has, in one place, and runs between the HTTP
 * codec and Reactor Netty's request handling (plus a byte watcher in front of the codec, {@link #watch()}):
 * <ul>
 * <li><b>Header timeout</b>: the whole request head must arrive within {@code header-timeout} of the
 *     accept, or of the first byte of a later request (Reactor Netty's own idle timeout is reset by
 *     every byte, so a head sent one byte at a time would never end). A partial head gets 408, a
 *     connection that sent nothing is closed silently.</li>
 * <li><b>Strict framing</b> ({@link RequestHead}): a head Netty could not decode, or decoded loosely,
 *     is answered here with PowerPost's JSON error and the connection closed; nothing after it on
 *     the connection is read as a request. Reactor Netty would answer an empty 400, and take
 *     {@code Transfer-Encoding: xchunked} for a request without a body.</li>
 * <li><b>No phantom requests</b>: a body that ends badly (a malformed chunk, the client gone before
 *     the last byte, no byte for {@code body-idle-timeout}, an average rate under
 *     {@code body-min-rate}) reaches the request as an error, never as its end. Reactor Netty ends
 *     the body normally on a decoding failure or a premature close, and the proxied request would
 *     then be completed upstream; as an error, the upstream exchange is aborted before its last
 *     byte (see {@code proxy.BodyLimitCheck}). Reactor Netty's own {@code readTimeout} is not used
 *     for the body: it adds and removes a pipeline handler on every request, bodiless ones too, and
 *     its {@code ReadTimeoutException} cannot be told from the upstream client's.</li>
 * <li><b>Closing after an early answer</b>: a response that ends before its request body did (a 408,
 *     a 413, a framing error, a denial before an upload was read) says {@code Connection: close};
 *     the gateway then stops sending, reads and discards for {@code linger-timeout} and closes, so
 *     the client reads the answer rather than a reset (nginx's lingering close).</li>
 * <li><b>A pipelined close</b>: a request that says {@code Connection: close} behind others still
 *     being answered is answered in its turn, after them, and the connection closed after it
 *     (RFC 9112 §9.6); Reactor Netty would put the close on the response being written when the
 *     request arrives, and the answers queued between the two would never be sent.</li>
 * <li><b>Connection cap</b> ({@link ConnectionCount}): past {@code max-connections}, a new connection
 *     gets a 503 and is closed before anything of it is read.</li>
 * </ul>
 * Every method runs on the connection's event loop; the state needs no synchronisation.
 */
final class ConnectionGuard extends ChannelDuplexHandler {

    static final String NAME = "gateway.http.guard";
    static final String WATCH_NAME = "gateway.http.watch";

    private final long headerTimeoutNanos;
    private final long bodyIdleNanos;
    private final long bodyMinRate;
    private final long bodyMinRateGraceNanos;
    private final long lingerNanos;
    private final ConnectionCount connections;
    private final HttpRefusals refusals;

    private @Nullable ChannelHandlerContext ctx;
    private boolean admitted;
    /** Requests passed on whose response has not been written to its end. */
    private int inFlight;
    /** The request passed on last still has body bytes to come. */
    private boolean inBody;

    private long bodyStartNanos;
    private long bodyLastReadNanos;
    private long bodyBytes;
    /** Waiting for a request head; {@code headStartNanos} is 0 until its first byte arrives. */
    private boolean awaitingHead = true;

    private long headStartNanos;
    /** Nothing more is read as a request on this connection: framing is lost, or it is closing. */
    private boolean refusing;
    /**
     * A pipelined request asked to close the connection ({@code Connection: close}, or HTTP/1.0
     * without keep-alive): its response is the last one, nothing after it is served.
     */
    private boolean closeRequested;

    private boolean lingering;
    /** A refusal to write once the responses before it are written (pipelining keeps the order). */
    private @Nullable ApiError deferred;
    /** The response being written says {@code Connection: close}: close (lingering) after it. */
    private boolean closeAfterResponse;
    /** Bytes of the awaited head have arrived (a timeout then answers 408 rather than closing silently). */
    private boolean headBytesSeen;

    private @Nullable ScheduledFuture<?> timer;
    private long timerDueNanos;

    ConnectionGuard(HttpLimitsProperties limits, ConnectionCount connections, HttpRefusals refusals) {
        this.headerTimeoutNanos = limits.headerTimeout().toNanos();
        this.bodyIdleNanos = limits.bodyIdleTimeout().toNanos();
        this.bodyMinRate = limits.bodyMinRate();
        this.bodyMinRateGraceNanos = limits.bodyMinRateGrace().toNanos();
        this.lingerNanos = limits.lingerTimeout().toNanos();
        this.connections = connections;
        this.refusals = refusals;
    }

    /** The handler in front of the codec: starts the header clock, and drops bytes once nothing more is read. */
    ChannelInboundHandlerAdapter watch() {
        return new Watch();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!connections.tryAcquire()) {
            refusals.connectionRefused();
            refusing = true;
            ctx.writeAndFlush(response(ApiError.TOO_MANY_CONNECTIONS)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        admitted = true;
        long now = System.nanoTime();
        headStartNanos = now;
        arm(now + headerTimeoutNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        if (admitted) {
            admitted = false;
            connections.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            onHead(ctx, request);
            return;
        }
        if (msg instanceof HttpContent content) {
            onContent(ctx, content);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest request) {
        awaitingHead = false;
        headBytesSeen = false;
        headStartNanos = 0;
        if (closeRequested) {
            // after a request that asked to close, nothing is a request (RFC 9112 §9.6)
            ReferenceCountUtil.release(request);
            refusing = true;
            return;
        }
        ApiError refusal = RequestHead.refusal(request);
        if (refusal != null) {
            ReferenceCountUtil.release(request);
            refusals.refused(refusal);
            refuse(ctx, refusal);
            return;
        }
        if (inFlight > 0 && !HttpUtil.isKeepAlive(request)) {
            // Reactor Netty applies a pipelined request's close to the response it is writing when
            // the request arrives, and the answers queued before it are lost: it is told "keep-alive",
            // and this guard closes after that request's own response instead (see write)
            HttpUtil.setKeepAlive(request, true);
            closeRequested = true;
        }
        inFlight++;
        if (!(request instanceof LastHttpContent) && hasBody(request)) {
            inBody = true;
            long now = System.nanoTime();
            bodyStartNanos = now;
            bodyLastReadNanos = now;
            bodyBytes = 0;
            arm(now + bodyIdleNanos);
        } else {
            // no body: only Netty's empty last content follows, at once (a response written before
            // it arrives must not be taken for an answer to an unfinished body)
            inBody = false;
            disarm();
        }
        ctx.fireChannelRead(request);
    }

    private static boolean hasBody(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(content);
            // a malformed chunk, or the client closed before the declared end (PrematureChannelClosureException)
            boolean closed =
                    content.decoderResult().cause() instanceof io.netty.handler.codec.PrematureChannelClosureException;
            failBody(ctx, closed ? ApiError.BODY_INCOMPLETE : ApiError.MALFORMED_BODY);
            return;
        }
        if (inBody) {
            long now = System.nanoTime();
            bodyLastReadNanos = now;
            bodyBytes += content.content().readableBytes();
            if (content instanceof LastHttpContent) {
                inBody = false;
                awaitNextHead();
                disarm();
            } else if (tooSlow(now)) {
                ReferenceCountUtil.release(content);
                failBody(ctx, ApiError.REQUEST_TIMEOUT);
                return;
            }
        } else if (content instanceof LastHttpContent) {
            awaitNextHead();
        }
        ctx.fireChannelRead(content);
    }

    /** The next request's head: its clock starts with its first byte (the keep-alive idle timeout runs until then). */
    private void awaitNextHead() {
        awaitingHead = true;
        headBytesSeen = false;
        headStartNanos = 0;
    }

    private boolean tooSlow(long now) {
        long elapsed = now - bodyStartNanos;
        return bodyMinRate > 0
                && elapsed > bodyMinRateGraceNanos
                && bodyBytes < bodyMinRate * (elapsed / 1_000_000L) / 1000L;
    }

    /**
     * The body of the request being served ended badly: it fails with {@code error} (the request's
     * body publisher errors, Spring answers it, the upstream exchange is aborted), and nothing after
     * it on this connection is read.
     */
    private void failBody(ChannelHandlerContext ctx, ApiError error) {
        refusals.refused(error);
        refusing = true;
        if (inFlight == 1) {
            ctx.fireExceptionCaught(new ApiErrorException(error));
            // whatever happens above, the connection is closed in time
            arm(System.nanoTime() + bodyIdleNanos + lingerNanos);
        } else {
            // a pipelined request's body, queued behind one still being answered: it is never served
            deferred = error;
        }
    }

    /** A head that is not served: answered now, or after the responses before it, then closed. */
    private void refuse(ChannelHandlerContext ctx, ApiError error) {
        refusing = true;
        disarm();
        if (inFlight == 0) {
            writeRefusal(ctx, error);
        } else {
            deferred = error;
        }
    }

    private void writeRefusal(ChannelHandlerContext ctx, ApiError error) {
        ctx.writeAndFlush(response(error));
        linger(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ctx.write(msg, promise);
                return;
            }
            if (inFlight <= 1 && deferred == null && (inBody || refusing || closeRequested)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                closeAfterResponse = true;
            }
        }
        if (!(msg instanceof LastHttpContent)) {
            ctx.write(msg, promise);
            return;
        }
        inFlight = Math.max(0, inFlight - 1);
        ctx.write(msg, promise);
        if (inFlight > 0) {
            return;
        }
        ApiError pending = deferred;
        if (pending != null) {
            deferred = null;
            writeRefusal(ctx, pending);
        } else if (closeAfterResponse || inBody || refusing) {
            // answered before its body ended: the rest is never read as a request
            ctx.flush();
            linger(ctx);
        } else if (awaitingHead && headStartNanos != 0) {
            // a pipelined head began while this response was written: its clock runs from now
            long now = System.nanoTime();
            headStartNanos = now;
            arm(now + headerTimeoutNanos);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (ctx.channel().isActive() && (lingering || inBody || closeAfterResponse)) {
            // Reactor Netty closes after a Connection: close response; with body bytes still unread
            // that close would be a reset, and the client might never read the answer. The linger
            // timer (or the client's own close) ends the connection instead, within linger-timeout.
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            ctx.flush();
            linger(ctx);
            return;
        }
        ctx.close(promise);
    }

    /** Stops sending (FIN), discards whatever still arrives, closes after the linger timeout or the client's FIN. */
    private void linger(ChannelHandlerContext ctx) {
        if (lingering) {
            return;
        }
        lingering = true;
        refusing = true;
        ctx.channel().config().setAutoRead(true);
        if (ctx.channel() instanceof DuplexChannel duplex) {
            ctx.channel().eventLoop().execute(() -> {
                if (ctx.channel().isActive()) {
                    duplex.shutdownOutput();
                }
            });
            disarm();
            arm(System.nanoTime() + lingerNanos);
        } else {
            ctx.close();
        }
    }

    private void arm(long dueNanos) {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            return;
        }
        if (timer != null) {
            if (timerDueNanos <= dueNanos) {
                timerDueNanos = Math.max(timerDueNanos, dueNanos);
                return; // fires first, then re-arms for the rest
            }
            timer.cancel(false);
        }
        timerDueNanos = dueNanos;
        timer = context.executor()
                .schedule(this::onTimer, Math.max(1, dueNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void onTimer() {
        timer = null;
        ChannelHandlerContext context = ctx;
        if (context == null || !context.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (lingering || refusing) {
            context.close();
            return;
        }
        if (inBody) {
            long due = bodyLastReadNanos + bodyIdleNanos;
            if (now - due < 0) {
                arm(due);
                return;
            }
            failBody(context, ApiError.REQUEST_TIMEOUT);
            return;
        }
        if (headStartNanos != 0 && inFlight == 0) {
            long due = headStartNanos + headerTimeoutNanos;
            if (now - due < 0) {
                arm(due);
                return;
            }
            refusals.headerTimeout();
            if (awaitingHead && headBytesSeen) {
                refusing = true;
                writeRefusal(context, ApiError.REQUEST_TIMEOUT);
            } else {
                context.close();
            }
        }
    }

    private static FullHttpResponse response(ApiError error) {
        byte[] body = ErrorResponseWriter.body(error);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(error.status().value()), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (error.retryAfter() != null) {
            response.headers()
                    .set(HttpHeaderNames.RETRY_AFTER, error.retryAfter().longValue());
        }
        return response;
    }

    /** In front of the codec: the first byte of a head starts its clock; nothing is decoded once refusing. */
    private final class Watch extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refusing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (awaitingHead && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                headBytesSeen = true;
                if (headStartNanos == 0) {
                    long now = System.nanoTime();
                    headStartNanos = now;
                    if (inFlight == 0) {
                        arm(now + headerTimeoutNanos);
                    }
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
