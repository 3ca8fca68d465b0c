package ai.powerpost.gateway.pipeline;

import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;

/**
 * The gateway's stages, declared in the order they run: every global filter of the gateway is one
 * of these ({@link StageFilter}), and takes its order from here. {@code PipelineOrderTest} starts
 * the gateway and compares its sorted global filters with this list.
 * <p>
 * Every stage runs before Spring Cloud Gateway's {@link RouteToRequestUrlFilter} (10000), which
 * turns the matched route into the upstream URL, and so before its {@link NettyRoutingFilter}
 * sends anything. The sequence follows Kong's: identify the request, authenticate, authorise,
 * then limit; each check ends the exchange with an error through {@link ErrorResponseWriter} or
 * passes it on. From {@link #AUTHORIZE_SCOPE} on, a stage is a {@link RouteCheck}: it is handed the
 * route and the key, and a request without them is refused once, there (fail closed).
 */
public enum Stage {

    /** Outermost: times every request to its response and writes the access log line. */
    ACCESS_LOG(-5100),
    /** The request id (the client's, if sane) and the client address; every answer carries the id. */
    IDENTIFY(-5000),
    /**
     * The server span (only when tracing is on: the one stage that may be absent): continued from
     * a trusted proxy's {@code traceparent}, a new trace for anyone else's.
     */
    TRACE(-4990),
    /** Protocol upgrades are refused before anything else looks at the request. */
    HYGIENE(-4950),
    /**
     * Reports of leaked keys ({@code POST /secret-scanning/github}, {@code POST /secret-scanning/report}),
     * answered here when switched on, outside routes.yml's table; with them off, these paths go on
     * to be 404 like any unknown path.
     */
    SECRET_SCANNING(-4925),
    /** A path no route declares is answered (404, 405, 400) before anyone looks at credentials. */
    ROUTE_RESOLUTION(-4900),
    /** Who is calling: the key, looked up through the cache. */
    AUTHENTICATE(-4800),
    /** May this key use this route: its scopes must hold the route's scope. */
    AUTHORIZE_SCOPE(-4700),
    /**
     * A test key only on routes whose upstream has a sandbox (it is never sent to the live one):
     * refused before the workspace look-up and the rate limit, so a refused call costs nothing.
     */
    KEY_MODE(-4650),
    /** Content routes need a workspace the key's account owns. */
    WORKSPACE(-4600),
    /**
     * Body limits: a declared Content-Length over the route's limit is refused before it spends
     * quota; a body that turns out too large while streaming is refused when it does.
     */
    BODY_LIMIT(-4580),
    /** Per-key rate limit: only requests that passed key, scope and workspace checks spend quota. */
    RATE_LIMIT(-4550),
    /** Last-used is recorded only for requests that passed every check. */
    RECORD_USAGE(-4500),
    /** What the upstream receives: the target without method overrides; the headers are written with the request. */
    UPSTREAM_REQUEST(-100),
    /**
     * The call to the upstream, through its circuit breaker, with the route's timeouts and (GET/HEAD
     * only) retries. Retries re-run only what comes after.
     */
    UPSTREAM_CALL(-50),
    /**
     * Spring Cloud Gateway's response-writing filter, inside the upstream call rather than at its
     * own -1: the call ends when the body does, so a body that breaks off counts for the route's
     * circuit breaker and is never taken for a success.
     */
    UPSTREAM_RESPONSE(-40);

    private final int order;

    Stage(int offset) {
        this.order = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + offset;
    }

    /** Whether a running gateway may lack this stage: tracing's, which exists only when tracing is on. */
    public boolean optional() {
        return this == TRACE;
    }

    /** The filter order: relative to {@link RouteToRequestUrlFilter}, ascending in declaration order. */
    public int order() {
        return order;
    }
}
