package ai.powerpost.gateway.metrics;

import ai.powerpost.gateway.errors.ApiError;

/** The bounded set of denial reasons, for metric tags and the access log. */
public final class DenialReasons {

    private DenialReasons() {}

    public static String of(ApiError error) {
        String message = error.message();
        return switch (error.code()) {
            case "INVALID_API_KEY" ->
                message.equals(ApiError.MISSING_API_KEY.message())
                        ? "missing_key"
                        : message.equals(ApiError.KEY_EXPIRED.message()) ? "expired_key" : "invalid_key";
            case "INSUFFICIENT_SCOPE" -> "insufficient_scope";
            case "FORBIDDEN" ->
                message.equals(ApiError.TEST_KEY_NO_SANDBOX.message()) ? "test_key_no_sandbox" : "workspace_forbidden";
            case "RATE_LIMIT_EXCEEDED" ->
                message.equals(ApiError.TOO_MANY_FAILURES.message()) ? "brute_force" : "rate_limited";
            case "NOT_FOUND" -> "not_found";
            case "METHOD_NOT_ALLOWED" -> "method_not_allowed";
            case "PAYLOAD_TOO_LARGE", "FILE_TOO_LARGE" -> "body_too_large";
            case "VALIDATION_ERROR" ->
                message.equals(ApiError.WORKSPACE_MISSING.message())
                        ? "workspace_missing"
                        : message.equals(ApiError.WORKSPACE_MALFORMED.message())
                                ? "workspace_malformed"
                                : "bad_request";
            // one code for every 503 (clients treat them alike), but operators must tell a Redis
            // outage (auth fails closed) from an open circuit breaker: they page different people
            case "SERVICE_UNAVAILABLE" ->
                message.equals(ApiError.AUTH_UNAVAILABLE.message())
                        ? "auth_unavailable"
                        : message.equals(ApiError.UPSTREAM_UNAVAILABLE.message())
                                ? "upstream_unavailable"
                                : "unavailable";
            case "BAD_GATEWAY" -> "bad_gateway";
            case "GATEWAY_TIMEOUT" -> "gateway_timeout";
            default -> "other";
        };
    }
}
