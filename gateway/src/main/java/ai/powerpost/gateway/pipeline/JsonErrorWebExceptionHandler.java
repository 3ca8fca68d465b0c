package ai.powerpost.gateway.pipeline;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ApiErrorException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.autoconfigure.error.ErrorWebFluxAutoConfiguration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Maps every exception that escapes the filter chain to PowerPost's error body, at one boundary:
 * connection failures and upstream answers the gateway cannot take (a head over the HTTP client's
 * limits, a malformed status line or framing, a connection closed before or during the answer)
 * become 502, timeouts 504, framework status exceptions keep their status (a client mistake is
 * never a 500), anything else a bare 500 without details. Errors a filter carries as an
 * {@link ApiErrorException} (the client's own body refused, for one) are mapped first, whatever
 * else they look like. Runs ahead of Boot's own handler ({@link ErrorWebFluxAutoConfiguration}
 * registers it at -1), so no stack trace or class name ever reaches a client.
 */
@Component
@Order(-2)
public class JsonErrorWebExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorWebExceptionHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ApiError error = toApiError(ex);
        if (exchange.getResponse().isCommitted()) {
            // Status and headers are gone already (an upstream that broke off mid-body): the only
            // honest answer left is to cut the connection, so the client sees a truncated response
            // at once instead of waiting for bytes that will never come.
            if (ex instanceof AbortedException || AbortedException.isConnectionReset(ex)) {
                // the client went away mid-response (a load balancer's idle cut, a closed tab): not ours to fix
                log.debug(
                        "client closed the connection mid-response: {}",
                        ex.getClass().getName());
            } else {
                log.warn(
                        "response already started when the request failed with {} ({}): closing the connection",
                        error.code(),
                        classes(ex));
            }
            abort(exchange.getResponse());
            return Mono.empty();
        }
        if (error.status().is5xxServerError() && !(ex instanceof ApiErrorException)) {
            // The exception's class only: its message may carry addresses, and never a key.
            log.warn("request failed with {}: {}", error.code(), classes(ex));
            log.debug("request failure detail", ex);
        }
        return ErrorResponseWriter.write(exchange, error);
    }

    /** The exception's class, and its cause's: never a message (it may carry addresses, or the upstream's bytes). */
    static String classes(Throwable ex) {
        Throwable cause = ex.getCause();
        return cause == null || cause == ex
                ? ex.getClass().getName()
                : ex.getClass().getName() + " caused by " + cause.getClass().getName();
    }

    private static void abort(ServerHttpResponse response) {
        ServerHttpResponse target = response;
        while (target instanceof ServerHttpResponseDecorator decorator) {
            target = decorator.getDelegate();
        }
        if (target instanceof AbstractServerHttpResponse native_
                && native_.getNativeResponse() instanceof HttpServerResponse netty) {
            netty.withConnection(Connection::dispose);
        }
    }

    static ApiError toApiError(Throwable ex) {
        if (ex instanceof ApiErrorException carried) {
            return carried.error();
        }
        if (ex.getCause() instanceof ApiErrorException carried) {
            return carried.error();
        }
        if (ex instanceof PrematureCloseException
                || ex instanceof java.io.IOException
                || ex.getCause() instanceof PrematureCloseException) {
            return ApiError.BAD_GATEWAY;
        }
        if (ex instanceof ConnectException
                || ex instanceof ConnectTimeoutException
                || ex.getCause() instanceof ConnectException) {
            return ApiError.BAD_GATEWAY;
        }
        if (isUnreadableAnswer(ex) || isUnreadableAnswer(ex.getCause())) {
            return ApiError.BAD_GATEWAY;
        }
        if (ex instanceof TimeoutException || ex instanceof ReadTimeoutException) {
            return ApiError.GATEWAY_TIMEOUT;
        }
        if (ex instanceof ResponseStatusException rse) {
            return fromStatus(rse.getStatusCode());
        }
        return ApiError.INTERNAL_ERROR;
    }

    /**
     * An answer the HTTP client's decoder could not take: a head over its limits
     * ({@link TooLongFrameException}), a malformed status line, contradictory or broken framing
     * (a {@link DecoderException}: proxy.UpstreamDecoderFailures makes every such failure one),
     * a head cut short by the connection closing ({@link PrematureChannelClosureException}).
     */
    private static boolean isUnreadableAnswer(@Nullable Throwable ex) {
        return ex instanceof DecoderException || ex instanceof PrematureChannelClosureException;
    }

    private static ApiError fromStatus(HttpStatusCode code) {
        HttpStatus status = HttpStatus.resolve(code.value());
        if (status == null) {
            return ApiError.INTERNAL_ERROR;
        }
        return switch (status) {
            case NOT_FOUND -> ApiError.NOT_FOUND;
            case BAD_GATEWAY -> ApiError.BAD_GATEWAY;
            case GATEWAY_TIMEOUT -> ApiError.GATEWAY_TIMEOUT;
            case SERVICE_UNAVAILABLE -> ApiError.UPSTREAM_UNAVAILABLE;
            case PAYLOAD_TOO_LARGE -> ApiError.of(status, "PAYLOAD_TOO_LARGE", "Request body too large");
            case UNSUPPORTED_MEDIA_TYPE -> ApiError.of(status, "VALIDATION_ERROR", "Unsupported media type");
            case METHOD_NOT_ALLOWED -> ApiError.of(status, "METHOD_NOT_ALLOWED", "Method not allowed on this resource");
            default ->
                status.is4xxClientError()
                        ? ApiError.of(status, "VALIDATION_ERROR", "Invalid request")
                        : ApiError.INTERNAL_ERROR;
        };
    }
}
