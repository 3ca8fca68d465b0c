package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The management API's answers: JSON bodies, and errors in PowerPost's one format. */
public final class AdminResponses {

    private AdminResponses() {}

    public static Mono<ServerResponse> error(ApiError error) {
        ServerResponse.BodyBuilder builder =
                ServerResponse.status(error.status()).contentType(MediaType.APPLICATION_JSON);
        if (error.status() == HttpStatus.UNAUTHORIZED) {
            builder.header(HttpHeaders.WWW_AUTHENTICATE, ApiError.WWW_AUTHENTICATE_VALUE);
        }
        if (error.retryAfter() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, Long.toString(error.retryAfter()));
        }
        return builder.bodyValue(ErrorResponseWriter.body(error));
    }

    public static Mono<ServerResponse> json(HttpStatus status, Object body) {
        return ServerResponse.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body);
    }

    public static Mono<ServerResponse> ok(Object body) {
        return json(HttpStatus.OK, body);
    }

    /** Whether {@code id} is an id the API accepts in a path: 1-64 characters of {@code [A-Za-z0-9_-]}. */
    public static boolean isId(@org.jspecify.annotations.Nullable String id) {
        return id != null && id.matches("[A-Za-z0-9_-]{1,64}");
    }
}
