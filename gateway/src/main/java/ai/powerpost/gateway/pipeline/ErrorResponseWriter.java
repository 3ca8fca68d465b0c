package ai.powerpost.gateway.pipeline;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.JsonStrings;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The single place where an error becomes a response: PowerPost's body
 * {@code {"error":{"code":"…","message":"…"}}} with {@code Content-Type: application/json},
 * {@code WWW-Authenticate} on 401 and {@code Allow} on 405. Filters, the exception handler and the
 * key management API all answer through it, so every error looks the same.
 */
public final class ErrorResponseWriter {

    private ErrorResponseWriter() {}

    /** Writes {@code error} as the whole response, unless the response is already committed. */
    public static Mono<Void> write(ServerWebExchange exchange, ApiError error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        RequestState.of(exchange).denied(error);
        response.setStatusCode(error.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        if (error.status() == HttpStatus.UNAUTHORIZED) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, ApiError.WWW_AUTHENTICATE_VALUE);
        }
        if (error.allow() != null) {
            headers.set(HttpHeaders.ALLOW, error.allow());
        }
        if (error.retryAfter() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(error.retryAfter()));
        }
        DataBuffer buffer = response.bufferFactory().wrap(cachedBody(error));
        return response.writeWith(Mono.just(buffer));
    }

    /**
     * Bodies already rendered, by error: the same few errors answer most refusals (a flood of
     * unknown keys is one body, again and again). Bounded: errors carrying a Retry-After vary.
     * The arrays are only ever read (wrapped, never written into).
     */
    private static final ConcurrentHashMap<ApiError, byte[]> RENDERED = new ConcurrentHashMap<>();

    private static final int MAX_RENDERED = 1024;

    private static byte[] cachedBody(ApiError error) {
        byte[] body = RENDERED.get(error);
        if (body == null) {
            body = body(error);
            if (RENDERED.size() < MAX_RENDERED) {
                RENDERED.putIfAbsent(error, body);
            }
        }
        return body;
    }

    /** The JSON body of {@code error}, as UTF-8 bytes. */
    public static byte[] body(ApiError error) {
        StringBuilder json = new StringBuilder(96).append("{\"error\":{\"code\":");
        JsonStrings.append(json, error.code());
        json.append(",\"message\":");
        JsonStrings.append(json, error.message());
        if (error.requiredScope() != null) {
            json.append(",\"required_scope\":");
            JsonStrings.append(json, error.requiredScope());
        }
        if (error.retryAfter() != null) {
            json.append(",\"retryAfter\":").append(error.retryAfter().longValue());
        }
        return json.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
