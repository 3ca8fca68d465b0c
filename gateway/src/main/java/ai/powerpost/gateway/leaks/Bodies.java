package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Reading a report's body within its limit, and writing a JSON answer. */
final class Bodies {

    private Bodies() {}

    /** The body was larger than the endpoint takes. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /**
     * The whole body, at most {@code max} bytes: a declared {@code Content-Length} over it fails at
     * once, before anything is read; a body that grows past it while streaming fails when it does.
     */
    static Mono<byte[]> read(ServerWebExchange exchange, int max) {
        if (exchange.getRequest().getHeaders().getContentLength() > max) {
            return Mono.error(new TooLarge());
        }
        return DataBufferUtils.join(exchange.getRequest().getBody(), max)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .onErrorMap(DataBufferLimitException.class, e -> new TooLarge())
                .defaultIfEmpty(new byte[0]);
    }

    /** {@code json} as the whole response, with {@code status}. */
    static Mono<Void> json(ServerWebExchange exchange, HttpStatus status, String json) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        DataBuffer buffer = response.bufferFactory().wrap(json.getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(buffer));
    }

    /** The error answer of a body that could not be read: too large (413), else passed on. */
    static Mono<Void> unreadable(ServerWebExchange exchange, Throwable e) {
        if (e instanceof TooLarge) {
            return ErrorResponseWriter.write(exchange, ApiError.PAYLOAD_TOO_LARGE);
        }
        return Mono.error(e);
    }
}
