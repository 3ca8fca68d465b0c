package ai.powerpost.gateway.ratelimit;

/**
 * The limiter's answer for one request, with what the {@code X-RateLimit-*} headers report.
 *
 * @param allowed           whether the request may go on
 * @param limit             the class's requests per window
 * @param remaining         requests left in this window as this replica knows it (0 when refused)
 * @param resetEpochSeconds when the window ends, Unix epoch seconds
 * @param retryAfterSeconds seconds until the window ends, at least 1 (the 429's {@code retryAfter})
 */
record Decision(boolean allowed, long limit, long remaining, long resetEpochSeconds, long retryAfterSeconds) {}
