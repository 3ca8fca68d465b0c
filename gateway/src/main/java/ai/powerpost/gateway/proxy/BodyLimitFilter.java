package ai.powerpost.gateway.proxy;

import java.util.concurrent.atomic.AtomicLong;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ApiErrorException;
import ai.powerpost.gateway.errors.ErrorResponseWriter;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.routing.RouteSpec;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Per-route body limits ({@code max-body} in routes.yml). A declared {@code Content-Length} over
 * the limit is a 413 before anything reaches the upstream; a body without one (chunked) is counted
 * while it streams and cut off with a 413 the moment it passes the limit. Bodies are never
 * buffered here: they stream to the upstream chunk by chunk. The upload route answers
 * {@code FILE_TOO_LARGE}, as PowerPost does; every other route {@code PAYLOAD_TOO_LARGE}.
 */
final class BodyLimitFilter implements GlobalFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (!(exchange.getAttribute(RouteMatch.ATTRIBUTE) instanceof RouteMatch.Found found)) {
            return chain.filter(exchange);
        }
        RouteSpec route = found.route();
        ApiError tooLarge = route.scope() == Scope.MEDIA_WRITE ? ApiError.FILE_TOO_LARGE : ApiError.PAYLOAD_TOO_LARGE;
        ServerHttpRequest request = exchange.getRequest();
        long declared = request.getHeaders().getContentLength();
        if (declared > route.maxBodyBytes()) {
            return ErrorResponseWriter.write(exchange, tooLarge);
        }
        if (declared >= 0 || !request.getHeaders().containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
            return chain.filter(exchange);
        }
        ServerHttpRequest counted = new LimitedBody(request, route.maxBodyBytes(), tooLarge);
        return chain.filter(exchange.mutate().request(counted).build());
    }

    @Override
    public int getOrder() {
        return FilterOrder.BODY_LIMIT;
    }

    @Override
    public String toString() {
        return "BodyLimitFilter";
    }

    /** A request whose body fails with the 413 error as soon as it passes the limit. */
    private static final class LimitedBody extends ServerHttpRequestDecorator {
        private final long limit;
        private final ApiError tooLarge;

        LimitedBody(ServerHttpRequest delegate, long limit, ApiError tooLarge) {
            super(delegate);
            this.limit = limit;
            this.tooLarge = tooLarge;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            AtomicLong seen = new AtomicLong();
            return super.getBody().handle((buffer, sink) -> {
                if (seen.addAndGet(buffer.readableByteCount()) > limit) {
                    DataBufferUtils.release(buffer);
                    sink.error(new ApiErrorException(tooLarge));
                } else {
                    sink.next(buffer);
                }
            });
        }
    }
}
