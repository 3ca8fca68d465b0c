package ai.powerpost.gateway.pipeline;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.routing.RouteSpec;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Everything the gateway knows of one request, in the one exchange attribute the gateway uses:
 * each value written once, by the stage that knows it, and read through a typed accessor. Which
 * stage writes what (docs/architecture.md has the table):
 * <ul>
 * <li>{@link #startNanos()}: when the state was made, the first time anything asked for it (the
 *     public port's handler mapping, before the first filter);</li>
 * <li>{@link #route()}: the route table's verdict, when the request is matched ({@link Stage#ROUTE_RESOLUTION}
 *     answers a rejected one);</li>
 * <li>{@link #servedBy}: {@link Stage#SECRET_SCANNING}, for a request one of the gateway's own
 *     endpoints answers (its id is then the {@link #routeId()});</li>
 * <li>{@link #requestId()} and {@link #clientAddress()}: {@link Stage#IDENTIFY};</li>
 * <li>{@link #trace()}: {@link Stage#TRACE}, only when tracing is on;</li>
 * <li>{@link #key()}: {@link Stage#AUTHENTICATE}, only for a key that authenticated, or an expired
 *     one (refused there, so that its refusal's access-log line names it);</li>
 * <li>{@link #checkedRequest()}: {@link Stage#UPSTREAM_REQUEST}, the request as the checks saw it;</li>
 * <li>{@link #upstreamStartNanos()}: {@link Stage#UPSTREAM_CALL}, when the call is made;</li>
 * <li>{@link #denial()}: {@link ErrorResponseWriter}, when an error answers the request.</li>
 * </ul>
 * A value written twice is a defect and throws (the denial excepted: the last error written is
 * the one the client got). Not thread-safe, and need not be: a request's stages run one after
 * the other.
 */
public final class RequestState {

    static final String ATTRIBUTE = RequestState.class.getName();

    private final long startNanos;
    private @Nullable RouteMatch route;
    private @Nullable String requestId;
    private String clientAddress = "unknown";
    private boolean identified;
    private @Nullable KeyRecord key;
    private long upstreamStartNanos = -1;
    private @Nullable ApiError denial;
    private @Nullable ServerHttpRequest checkedRequest;
    private @Nullable RequestTrace trace;
    private @Nullable String endpoint;

    private RequestState(long startNanos) {
        this.startNanos = startNanos;
    }

    /** The exchange's state, made on first use. */
    public static RequestState of(ServerWebExchange exchange) {
        Object state = exchange.getAttributes().get(ATTRIBUTE);
        if (state instanceof RequestState existing) {
            return existing;
        }
        RequestState created = new RequestState(System.nanoTime());
        exchange.getAttributes().put(ATTRIBUTE, created);
        return created;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The route table's verdict, or null before the request was matched. */
    public @Nullable RouteMatch routeMatch() {
        return route;
    }

    /** The matched route, or null when there is none (not matched yet, or rejected). */
    public @Nullable RouteSpec route() {
        return route instanceof RouteMatch.Found found ? found.route() : null;
    }

    /**
     * The route's id for logs and metrics: the gateway's own endpoint that answered the request
     * ({@link #servedBy}), else the route's, else {@code unmatched} when no route was found.
     */
    public String routeId() {
        if (endpoint != null) {
            return endpoint;
        }
        RouteSpec spec = route();
        return spec == null ? "unmatched" : spec.id();
    }

    /**
     * The request is answered by one of the gateway's own endpoints outside routes.yml (a fixed,
     * bounded id, e.g. {@code secret-scanning-github}), which logs and metrics name as its route.
     */
    public void servedBy(String endpointId) {
        if (endpoint != null) {
            throw new IllegalStateException("endpoint already chosen");
        }
        endpoint = endpointId;
    }

    public void route(RouteMatch match) {
        if (route != null) {
            throw new IllegalStateException("route already resolved");
        }
        route = match;
    }

    public @Nullable String requestId() {
        return requestId;
    }

    /** The client's address ({@code unknown} before {@link Stage#IDENTIFY}). */
    public String clientAddress() {
        return clientAddress;
    }

    /** Records the request id (null only where a test leaves the client's as it is) and the client address. */
    public void identify(@Nullable String requestId, String clientAddress) {
        if (identified) {
            throw new IllegalStateException("request already identified");
        }
        identified = true;
        this.requestId = requestId;
        this.clientAddress = clientAddress;
    }

    /** The key that authenticated the request, or null (not authenticated, or not yet). */
    public @Nullable KeyRecord key() {
        return key;
    }

    public void authenticated(KeyRecord key) {
        if (this.key != null) {
            throw new IllegalStateException("request already authenticated");
        }
        this.key = key;
    }

    /** When the upstream call started, or -1 if none was made. */
    public long upstreamStartNanos() {
        return upstreamStartNanos;
    }

    public void upstreamStarted(long nanos) {
        upstreamStartNanos = nanos;
    }

    /**
     * The request as the checks saw it, before {@link Stage#UPSTREAM_REQUEST} rewrote its target
     * (a rewrite copies the headers, and a copy merges a name sent in several spellings): what the
     * upstream request's identity headers are derived from. Null before that stage.
     */
    public @Nullable ServerHttpRequest checkedRequest() {
        return checkedRequest;
    }

    public void checked(ServerHttpRequest request) {
        if (checkedRequest != null) {
            throw new IllegalStateException("request already checked");
        }
        checkedRequest = request;
    }

    /** The error the request was answered with, or null. */
    public @Nullable ApiError denial() {
        return denial;
    }

    void denied(ApiError error) {
        denial = error;
    }

    /** The request's trace, or null: tracing is off (or the trace stage has not run yet). */
    public @Nullable RequestTrace trace() {
        return trace;
    }

    public void traced(RequestTrace trace) {
        if (this.trace != null) {
            throw new IllegalStateException("request already traced");
        }
        this.trace = trace;
    }
}
