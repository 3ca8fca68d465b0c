package ai.powerpost.gateway.ratelimit;

import org.springframework.http.HttpHeaders;

/**
 * The {@code X-RateLimit-*} response headers PowerPost documents, written from one decision. They
 * are set (never added), so an upstream's own copies, which Spring Cloud Gateway adds to the
 * response, are replaced: the gateway's limit is the one that counts.
 */
final class RateLimitHeaders {

    static final String LIMIT = "X-RateLimit-Limit";
    static final String REMAINING = "X-RateLimit-Remaining";
    /** Unix epoch seconds at which the window ends. */
    static final String RESET = "X-RateLimit-Reset";

    private RateLimitHeaders() {}

    static void set(HttpHeaders headers, Decision decision) {
        headers.set(LIMIT, Long.toString(decision.limit()));
        headers.set(REMAINING, Long.toString(decision.remaining()));
        headers.set(RESET, Long.toString(decision.resetEpochSeconds()));
    }
}
