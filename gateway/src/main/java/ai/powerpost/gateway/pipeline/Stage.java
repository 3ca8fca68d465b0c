package ai.powerpost.gateway.pipeline;

import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;

/**
 * The gateway's stages, declared in the order they run, in one place.
 * <ul>
 * <li>The <em>checks</em> ({@link #isCheck()}), from the access log to the upstream request, are
 *     plain method calls ({@link Check}) run one after the other by the one global filter
 *     {@link #CHECKS} ({@link CheckPass}): for a warm, valid request a single synchronous pass with
 *     no Reactor operator assembled. They follow Kong's sequence: identify the request,
 *     authenticate, authorise, then limit; each either passes, refuses with an error (through
 *     {@link ErrorResponseWriter}), or says what it must wait for.</li>
 * <li>The <em>filters</em> ({@link StageFilter}) are the gateway's global filters: the pass, then
 *     the upstream call and its response, which are asynchronous by nature.</li>
 * </ul>
 * Every stage runs before Spring Cloud Gateway's {@link RouteToRequestUrlFilter} (10000), which
 * turns the matched route into the upstream URL, and so before its {@link NettyRoutingFilter}
 * sends anything. From {@link #AUTHORIZE_SCOPE} on, a check is a {@link RouteCheck}: it is handed
 * the route and the key, and a request without them is refused once, there (fail closed).
 * {@code PipelineOrderIT} starts the gateway and compares its global filters and its pass with this
 * list.
 */
public enum Stage {

    /** The global filter that runs every check below, in order, up to {@link #UPSTREAM_CALL}. */
    CHECKS(Kind.FILTER, -5200),
    /** First check: times every request to its response and writes the access log line. */
    ACCESS_LOG(Kind.CHECK, -5100),
    /** The request id (the client's, if sane) and the client address; every answer carries the id. */
    IDENTIFY(Kind.CHECK, -5000),
    /**
     * The server span (only when tracing is on: the one stage that may be absent): continued from
     * a trusted proxy's {@code traceparent}, a new trace for anyone else's; ended by the pass when
     * the exchange ends.
     */
    TRACE(Kind.CHECK, -4990),
    /** Protocol upgrades are refused before anything else looks at the request. */
    HYGIENE(Kind.CHECK, -4950),
    /**
     * Reports of leaked keys ({@code POST /secret-scanning/github}, {@code POST /secret-scanning/report}),
     * answered here when switched on, outside routes.yml's table; with them off, these paths go on
     * to be 404 like any unknown path.
     */
    SECRET_SCANNING(Kind.CHECK, -4925),
    /** A path no route declares is answered (404, 405, 400) before anyone looks at credentials. */
    ROUTE_RESOLUTION(Kind.CHECK, -4900),
    /** Who is calling: the key, looked up through the cache (waits only for a key the replica has never seen). */
    AUTHENTICATE(Kind.CHECK, -4800),
    /** May this key use this route: its scopes must hold the route's scope. */
    AUTHORIZE_SCOPE(Kind.CHECK, -4700),
    /**
     * A test key only on routes whose upstream has a sandbox (it is never sent to the live one):
     * refused before the workspace look-up and the rate limit, so a refused call costs nothing.
     */
    KEY_MODE(Kind.CHECK, -4650),
    /** Content routes need a workspace the key's account owns. */
    WORKSPACE(Kind.CHECK, -4600),
    /**
     * Body limits: a declared Content-Length over the route's limit is refused before it spends
     * quota; a body that turns out too large while streaming is refused when it does.
     */
    BODY_LIMIT(Kind.CHECK, -4580),
    /** Per-key rate limit: only requests that passed key, scope and workspace checks spend quota. */
    RATE_LIMIT(Kind.CHECK, -4550),
    /** Last-used is recorded only for requests that passed every check. */
    RECORD_USAGE(Kind.CHECK, -4500),
    /** What the upstream receives: the target without method overrides; the headers are written with the request. */
    UPSTREAM_REQUEST(Kind.CHECK, -4400),
    /**
     * The call to the upstream, through its circuit breaker, with the route's timeouts and (GET/HEAD
     * only) retries. Retries re-run only what comes after.
     */
    UPSTREAM_CALL(Kind.FILTER, -50),
    /**
     * Spring Cloud Gateway's response-writing filter, inside the upstream call rather than at its
     * own -1: the call ends when the body does, so a body that breaks off counts for the route's
     * circuit breaker and is never taken for a success.
     */
    UPSTREAM_RESPONSE(Kind.FILTER, -40);

    /** A check, run inside {@link #CHECKS}, or a global filter of its own. */
    public enum Kind {
        CHECK,
        FILTER
    }

    private final Kind kind;
    private final int order;

    Stage(Kind kind, int offset) {
        this.kind = kind;
        this.order = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + offset;
    }

    /** Whether a running gateway may lack this stage: tracing's, which exists only when tracing is on. */
    public boolean optional() {
        return this == TRACE;
    }

    /** Whether this stage is a {@link Check}, run by {@link #CHECKS}, rather than a global filter. */
    public boolean isCheck() {
        return kind == Kind.CHECK;
    }

    /**
     * Ascending in declaration order, relative to {@link RouteToRequestUrlFilter}: a filter's
     * filter order, a check's place in the pass.
     */
    public int order() {
        return order;
    }
}
