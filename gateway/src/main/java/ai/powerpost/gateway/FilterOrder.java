package ai.powerpost.gateway;

import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;

/**
 * Every order constant of this gateway's global filters, in one place, relative to Spring Cloud
 * Gateway's own. All of them run before {@link RouteToRequestUrlFilter} (10000), which turns the
 * matched route into the upstream URL, and so before the Netty routing filter sends anything.
 * The sequence follows Kong's: identify the request, authenticate, authorise, then limit.
 */
public final class FilterOrder {

    private static final int BEFORE_PROXY = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER;

    /** Outermost: times every request to its response and writes the access log line. */
    public static final int ACCESS_LOG = BEFORE_PROXY - 5100;

    /** First: every answer, even a 404, carries the request id. */
    public static final int REQUEST_ID = BEFORE_PROXY - 5000;

    /** Protocol upgrades are refused before anything else looks at the request. */
    public static final int HYGIENE = BEFORE_PROXY - 4950;

    /** A path no route declares is answered before anyone looks at credentials. */
    public static final int ROUTE_RESOLUTION = BEFORE_PROXY - 4900;

    /** Who is calling: the key, looked up through the cache. */
    public static final int AUTHENTICATE = BEFORE_PROXY - 4800;

    /** May this key use this route: its scopes must hold the route's scope. */
    public static final int AUTHORIZE_SCOPE = BEFORE_PROXY - 4700;

    /** Content routes need a workspace the key's account owns. */
    public static final int WORKSPACE = BEFORE_PROXY - 4600;

    /** Per-key rate limit: only requests that passed key, scope and workspace checks spend quota. */
    public static final int RATE_LIMIT = BEFORE_PROXY - 4550;

    /** Body limits: an oversized body is refused before it spends quota or reaches the upstream. */
    public static final int BODY_LIMIT = BEFORE_PROXY - 4580;

    /** Last-used is recorded only for requests that passed every check. */
    public static final int RECORD_USAGE = BEFORE_PROXY - 4500;

    /** Last of ours: strip client credentials and spoofed identity, add the verified identity. */
    public static final int IDENTITY_HEADERS = BEFORE_PROXY - 100;

    /**
     * After every check and header rewrite: the call to the upstream, through its circuit breaker,
     * with the route's timeouts and (GET/HEAD only) retries. Retries re-run only what comes after.
     */
    public static final int UPSTREAM_CALL = BEFORE_PROXY - 50;

    /**
     * Spring Cloud Gateway's {@code NettyWriteResponseFilter}, which streams the upstream's body to
     * the client once the routing filter has its head, runs inside the upstream call rather than at
     * its own -1, outside everything: the call then ends when the body does, so a body that breaks
     * off counts for the route's circuit breaker and is never taken for a success
     * (web.WebConfiguration declares it).
     */
    public static final int UPSTREAM_RESPONSE = BEFORE_PROXY - 40;

    private FilterOrder() {
    }
}
