package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ApiErrorException;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteSpec;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;

/**
 * The request body, as the upstream is sent it:
 * <ul>
 * <li>per-route limits ({@code max-body} in routes.yml): a declared {@code Content-Length} over the
 *     limit is a 413 before anything reaches the upstream; a chunked body is counted while it
 *     streams and fails with a 413 the moment it passes the limit. The upload route answers
 *     {@code FILE_TOO_LARGE}, as PowerPost does; every other route {@code PAYLOAD_TOO_LARGE};</li>
 * <li>every way a body can end badly (over the limit, a malformed chunk, the client gone, too slow:
 *     see {@code http.ConnectionGuard}) is an {@link ApiErrorException}, the client's error: the
 *     upstream exchange is then aborted before its last byte (Reactor Netty's client closes the
 *     connection when the body it sends fails, it never ends it with a terminating chunk), the
 *     client is answered 400 / 408 / 413 where it still listens, and the route's circuit breaker
 *     does not count it against the upstream.</li>
 * </ul>
 * Bodies are never buffered here: they stream to the upstream chunk by chunk. Requests without a
 * body pass undecorated.
 */
final class BodyLimitCheck extends RouteCheck {

    @Override
    protected Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key) {
        ApiError tooLarge = route.scope() == Scope.MEDIA_WRITE ? ApiError.FILE_TOO_LARGE : ApiError.PAYLOAD_TOO_LARGE;
        ServerHttpRequest request = exchange.getRequest();
        long declared = request.getHeaders().getContentLength();
        if (declared > route.maxBodyBytes()) {
            return Verdict.refuse(tooLarge);
        }
        boolean chunked = declared < 0 && request.getHeaders().containsHeader(HttpHeaders.TRANSFER_ENCODING);
        if (declared <= 0 && !chunked) {
            return Verdict.PASS;
        }
        ServerHttpRequest guarded = new GuardedBody(request, chunked ? route.maxBodyBytes() : Long.MAX_VALUE, tooLarge);
        return Verdict.continueWith(exchange.mutate().request(guarded).build());
    }

    @Override
    public Stage stage() {
        return Stage.BODY_LIMIT;
    }

    @Override
    public String toString() {
        return "BodyLimitCheck";
    }

    /** A body that failed on the client's side (most often: the client went away mid-body). */
    static ApiErrorException clientsError(Throwable cause) {
        return new ApiErrorException(ApiError.BODY_INCOMPLETE);
    }

    /** A request whose body fails with the 413 error as soon as it passes the limit, and with the client's error however else it fails. */
    private static final class GuardedBody extends ServerHttpRequestDecorator {
        private final long limit;
        private final ApiError tooLarge;

        GuardedBody(ServerHttpRequest delegate, long limit, ApiError tooLarge) {
            super(delegate);
            this.limit = limit;
            this.tooLarge = tooLarge;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            AtomicLong seen = new AtomicLong();
            return super.getBody()
                    .<DataBuffer>handle((buffer, sink) -> {
                        if (seen.addAndGet(buffer.readableByteCount()) > limit) {
                            DataBufferUtils.release(buffer);
                            sink.error(new ApiErrorException(tooLarge));
                        } else {
                            sink.next(buffer);
                        }
                    })
                    .onErrorMap(e -> !(e instanceof ApiErrorException), BodyLimitCheck::clientsError);
        }
    }
}
