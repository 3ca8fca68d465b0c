package ai.powerpost.gateway.web;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RequestTrace;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteSpec;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The stage {@link Stage#TRACE}, present only when tracing is on: starts each request's server span
 * and ends it when the exchange ends (the answer's body sent, or the client gone).
 * <ul>
 * <li>The client's {@code traceparent} is continued only when the peer is a trusted proxy
 *     ({@code gateway.edge.trusted-proxies}), through Micrometer Tracing's propagator (W3C). From
 *     anyone else it starts a new trace, and a well-formed {@code traceparent} of theirs is kept as a
 *     <em>link</em> of the server span: the client's trace can still be found from ours, but an
 *     unknown client can neither choose our trace ids nor force sampling on (its sampled flag is
 *     not followed), and its {@code tracestate} and {@code baggage} never reach the upstream
 *     ({@link UpstreamRequestHeaders}).</li>
 * <li>The span is named after the method and the route's path template, and carries the route id,
 *     method, status, request id, client address and, for a request answered with an error, its
 *     code ({@code gateway.denial}); a 5xx marks it failed. Never a key, a key hash, a path (it can
 *     hold anything a client put there) or a query string.</li>
 * </ul>
 */
final class TraceCheck implements Check {

    static final String TRACEPARENT = "traceparent";

    private static final Propagator.Getter<HttpHeaders> HEADERS = HttpHeaders::getFirst;

    private final Tracer tracer;
    private final Propagator propagator;
    private final TrustedProxies proxies;

    TraceCheck(Tracer tracer, Propagator propagator, TrustedProxies proxies) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.proxies = proxies;
    }

    @Override
    public Verdict check(ServerWebExchange exchange, RequestState state) {
        ServerHttpRequest request = exchange.getRequest();
        String method = request.getMethod().name();
        Span span = builder(request)
                .name(method)
                .kind(Span.Kind.SERVER)
                .tag("http.request.method", method)
                .start();
        RequestTrace trace = new RequestTrace(tracer, propagator, span);
        state.traced(trace);
        if (trace.sampled()) {
            String requestId = state.requestId();
            if (requestId != null) {
                span.tag("gateway.request_id", requestId);
            }
            span.tag("client.address", state.clientAddress());
            exchange.getResponse().beforeCommit(() -> {
                answered(exchange, state, span, method);
                return Mono.empty();
            });
        }
        return Verdict.PASS; // the pass ends the span when the exchange ends
    }

    private Span.Builder builder(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        if (proxies.peerIsTrusted(request)) {
            return propagator.extract(headers, HEADERS);
        }
        Span.Builder builder = tracer.spanBuilder().setNoParent();
        TraceContext theirs = linkable(headers.get(TRACEPARENT));
        return theirs == null ? builder : builder.addLink(new Link(theirs));
    }

    /** The untrusted client's trace context, when it sent exactly one well-formed {@code traceparent}. */
    private @Nullable TraceContext linkable(@Nullable List<String> values) {
        if (values == null || values.size() != 1) {
            return null;
        }
        TraceParent parent = TraceParent.parse(values.get(0));
        return parent == null
                ? null
                : tracer.traceContextBuilder()
                        .traceId(parent.traceId())
                        .spanId(parent.spanId())
                        .sampled(parent.sampled())
                        .build();
    }

    private static void answered(ServerWebExchange exchange, RequestState state, Span span, String method) {
        RouteSpec route = state.route();
        span.name(route == null ? method : method + " " + route.path().source());
        span.tag("gateway.route", state.routeId());
        if (route != null) {
            span.tag("http.route", route.path().source());
        }
        HttpStatusCode code = exchange.getResponse().getStatusCode();
        int status = code == null ? 200 : code.value();
        span.tag("http.response.status_code", status);
        ApiError denial = state.denial();
        if (denial != null) {
            span.tag("gateway.denial", denial.code());
        }
        if (status >= 500) {
            span.error(new ServerError(denial == null ? "status " + status : denial.code()));
        }
    }

    @Override
    public Stage stage() {
        return Stage.TRACE;
    }

    @Override
    public String toString() {
        return "TraceCheck[trustedProxies=" + !proxies.isEmpty() + "]";
    }

    /** A 5xx answer, for the span's error status: no stack trace (it would only show this filter). */
    static final class ServerError extends RuntimeException {
        ServerError(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A W3C {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}, lower case, ids not all
     * zero), read strictly: anything else is no trace context at all.
     */
    record TraceParent(String traceId, String spanId, boolean sampled) {

        static @Nullable TraceParent parse(String value) {
            if (value.length() != 55
                    || value.charAt(2) != '-'
                    || value.charAt(35) != '-'
                    || value.charAt(52) != '-'
                    || !hex(value, 0, 2)
                    || !hex(value, 3, 35)
                    || !hex(value, 36, 52)
                    || !hex(value, 53, 55)
                    || value.startsWith("ff")
                    || zeros(value, 3, 35)
                    || zeros(value, 36, 52)) {
                return null;
            }
            int flags = Integer.parseInt(value, 53, 55, 16);
            return new TraceParent(value.substring(3, 35), value.substring(36, 52), (flags & 1) == 1);
        }

        private static boolean hex(String value, int from, int to) {
            for (int i = from; i < to; i++) {
                char c = value.charAt(i);
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                    return false;
                }
            }
            return true;
        }

        private static boolean zeros(String value, int from, int to) {
            for (int i = from; i < to; i++) {
                if (value.charAt(i) != '0') {
                    return false;
                }
            }
            return true;
        }
    }
}
