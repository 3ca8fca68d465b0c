package ai.powerpost.gateway.errors;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * An error as data: what the client is told, in PowerPost's format
 * {@code {"error":{"code":"…","message":"…"}}}. Filters return these; only
 * {@link ErrorResponseWriter} turns them into bytes.
 *
 * @param status        HTTP status
 * @param code          PowerPost error code, for example {@code INVALID_API_KEY}
 * @param message       human-readable message; never contains a key, a stack trace or an address
 * @param requiredScope the scope a 403 {@code INSUFFICIENT_SCOPE} names, otherwise null
 * @param allow         the methods a 405 lists in its {@code Allow} header, otherwise null
 * @param retryAfter    seconds a 429 or 503 asks the client to wait ({@code retryAfter} in the body
 *                      and {@code Retry-After}), otherwise null
 */
public record ApiError(
        HttpStatus status,
        String code,
        String message,
        @Nullable String requiredScope,
        @Nullable String allow,
        @Nullable Long retryAfter) {

    public static final String WWW_AUTHENTICATE_VALUE = "Bearer realm=\"powerpost\"";

    public static final ApiError MISSING_API_KEY = of(HttpStatus.UNAUTHORIZED, "INVALID_API_KEY", "Missing API key");
    /** One answer for malformed, unknown and revoked keys, so a client cannot tell them apart. */
    public static final ApiError INVALID_API_KEY = of(HttpStatus.UNAUTHORIZED, "INVALID_API_KEY", "Invalid API key");

    /**
     * A key past its end ({@code expires_at}): told apart from an invalid one, as its owner needs to
     * know to make a new one; only the holder of the key learns it.
     */
    public static final ApiError KEY_EXPIRED = of(HttpStatus.UNAUTHORIZED, "INVALID_API_KEY", "API key expired");

    public static final ApiError NOT_FOUND = of(HttpStatus.NOT_FOUND, "NOT_FOUND", "Resource not found");
    public static final ApiError MALFORMED_PATH =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "Malformed request path");
    public static final ApiError WORKSPACE_MISSING =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "X-Workspace-Id header is missing");
    public static final ApiError WORKSPACE_MALFORMED =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "X-Workspace-Id header is malformed");
    public static final ApiError WORKSPACE_FORBIDDEN =
            of(HttpStatus.FORBIDDEN, "FORBIDDEN", "You don't own the specified workspace");
    /**
     * A test key ({@code pp_test_sk_}) on a route whose upstream declares no sandbox: it is never
     * sent to the live upstream instead. Says what to do about it, not which upstreams exist.
     */
    public static final ApiError TEST_KEY_NO_SANDBOX = of(
            HttpStatus.FORBIDDEN, "FORBIDDEN", "Test keys cannot be used on this route: its upstream has no sandbox");
    /** The keys (or workspaces) cannot be checked: Redis unreachable and the key not known recently. Fails closed. */
    public static final ApiError AUTH_UNAVAILABLE = of(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "The service is temporarily unavailable, try again later")
            .withRetryAfter(5);
    /**
     * The route's upstream is not taking calls: its circuit breaker is open (give it
     * {@link #withRetryAfter(long)} with the time left open), or the framework answered 503. The
     * code is the gateway's one 503 code (PowerPost's own table has no 503), so clients treat every
     * 503 alike; the message says it is the upstream, not the key.
     */
    public static final ApiError UPSTREAM_UNAVAILABLE = of(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "The upstream service is temporarily unavailable, try again later")
            .withRetryAfter(5);

    public static final ApiError UPGRADE_REFUSED =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "Protocol upgrades are not supported");
    /** Over a key's rate limit; give it {@link #withRetryAfter(long)}. */
    public static final ApiError RATE_LIMITED =
            of(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded");

    public static final ApiError TOO_MANY_FAILURES = of(
            HttpStatus.TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            "Too many failed authentication attempts, try again later");
    public static final ApiError PAYLOAD_TOO_LARGE =
            of(HttpStatus.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "Request body exceeds this endpoint's size limit");
    public static final ApiError FILE_TOO_LARGE =
            of(HttpStatus.PAYLOAD_TOO_LARGE, "FILE_TOO_LARGE", "Uploaded file exceeds size limit");
    public static final ApiError BAD_GATEWAY =
            of(HttpStatus.BAD_GATEWAY, "BAD_GATEWAY", "The upstream service could not be reached");
    public static final ApiError GATEWAY_TIMEOUT =
            of(HttpStatus.GATEWAY_TIMEOUT, "GATEWAY_TIMEOUT", "The upstream service did not answer in time");
    /* The HTTP layer's refusals (ai.powerpost.gateway.http): answered before any filter runs. */
    public static final ApiError MALFORMED_REQUEST =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "Malformed HTTP request");
    public static final ApiError MALFORMED_TARGET =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "Malformed request target");
    public static final ApiError BAD_TRANSFER_ENCODING = of(
            HttpStatus.BAD_REQUEST,
            "VALIDATION_ERROR",
            "Transfer-Encoding must be exactly \"chunked\", once, and never beside Content-Length");
    public static final ApiError BAD_CONTENT_LENGTH =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "Content-Length must be one decimal number");
    public static final ApiError REQUEST_LINE_TOO_LONG =
            of(HttpStatus.URI_TOO_LONG, "VALIDATION_ERROR", "Request line too long");
    public static final ApiError HEADERS_TOO_LARGE =
            of(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "VALIDATION_ERROR", "Request headers too large");
    public static final ApiError HTTP_VERSION_NOT_SUPPORTED = of(
            HttpStatus.HTTP_VERSION_NOT_SUPPORTED,
            "VALIDATION_ERROR",
            "Only HTTP/1.1 and HTTP/1.0 are served on this port");
    public static final ApiError MALFORMED_BODY =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "Malformed request body");
    public static final ApiError BODY_INCOMPLETE =
            of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "The request body ended before it was complete");
    public static final ApiError REQUEST_TIMEOUT =
            of(HttpStatus.REQUEST_TIMEOUT, "REQUEST_TIMEOUT", "The request was not received in time");
    public static final ApiError TOO_MANY_CONNECTIONS = of(
                    HttpStatus.SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", "Too many connections, try again later")
            .withRetryAfter(1);
    public static final ApiError INTERNAL_ERROR =
            of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "Server error, try again later");

    public static ApiError of(HttpStatus status, String code, String message) {
        return new ApiError(status, code, message, null, null, null);
    }

    /** This error, asking the client to retry after {@code seconds}. */
    public ApiError withRetryAfter(long seconds) {
        return new ApiError(status, code, message, requiredScope, allow, Math.max(1, seconds));
    }

    public static ApiError insufficientScope(String scope) {
        return new ApiError(
                HttpStatus.FORBIDDEN,
                "INSUFFICIENT_SCOPE",
                "This API key lacks the required scope: " + scope,
                scope,
                null,
                null);
    }

    public static ApiError methodNotAllowed(String allow) {
        return new ApiError(
                HttpStatus.METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "Method not allowed on this resource",
                null,
                allow,
                null);
    }

    public static ApiError validation(String message) {
        return of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", message);
    }
}
