package ai.powerpost.gateway.ratelimit;

/**
 * Meter names and tags of the rate limiter, in one place. The only tag is the rate-limit class,
 * a bounded set declared in routes.yml; never a key id, a key hash or a path.
 */
final class RateLimitMeters {

    /** Requests answered 429, tagged by {@link #CLASS_TAG}. */
    static final String REJECTED = "gateway.ratelimit.rejected";
    /** Sync script calls that failed (Redis down, slow or refusing); their counts are pushed again next interval. */
    static final String SYNC_FAILURES = "gateway.ratelimit.sync.failures";
    /** Counts evicted from the local cache for size while their window was still running. */
    static final String EVICTED = "gateway.ratelimit.evicted";
    /** (key, class, window) counts held in memory. */
    static final String COUNTS = "gateway.ratelimit.counts";
    /** Counts waiting to be pushed to Redis. */
    static final String PENDING = "gateway.ratelimit.sync.pending";

    static final String CLASS_TAG = "class";

    private RateLimitMeters() {}
}
