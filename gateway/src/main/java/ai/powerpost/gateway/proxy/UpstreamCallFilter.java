package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ApiErrorException;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RequestTrace;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.StageFilter;
import ai.powerpost.gateway.routing.RouteSpec;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.tracing.Span;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.PrematureCloseException;

/**
 * The call to the upstream, last of our filters; it spans the whole of the upstream's answer,
 * head and body (Spring Cloud Gateway's response-writing filter runs inside it,
 * {@link Stage#UPSTREAM_RESPONSE}):
 * <ul>
 * <li>hands Spring Cloud Gateway's Netty routing filter where to call and this route's own
 *     connect and response timeouts (it reads them from the route's URI and metadata: the
 *     per-route {@link Route} is prepared once per routes.yml route and key mode by
 *     {@link UpstreamCalls}): a live key's call goes to the upstream's {@code uri}, a test key's to
 *     its {@code sandbox-uri} and never to the live URI (a test key on an upstream without a
 *     sandbox is refused with 403, as {@code access.KeyModeCheck} refuses it first);</li>
 * <li>goes through the route's circuit breaker (the sandbox's own, for a test key): when it is open the answer is 503
 *     {@code SERVICE_UNAVAILABLE} with {@code Retry-After}, at once, without contacting the
 *     upstream; connection failures, timeouts, upstream 5xx and answers the gateway cannot take
 *     (an oversized or malformed head, broken framing, a body cut short) count as failures (the
 *     5xx itself still passes through untouched). A failure that is the client's (its own body
 *     refused with an {@link ApiErrorException}, or its connection closed mid-call) is not the
 *     upstream's and does not count;</li>
 * <li>retries GET and HEAD only, and only failures where the upstream sent nothing (refused or
 *     reset connections, a connection closed before any answer), with exponential backoff,
 *     bounded by the route's {@code retries}. Never once the upstream's response head arrived,
 *     and never a POST: a repeated {@code POST /content/generate} spends the customer's credits
 *     twice;</li>
 * <li>when the call fails after the upstream's head was copied onto the response but before
 *     anything was sent, takes the upstream's headers back off it, so the error the client gets
 *     instead carries none of them.</li>
 * </ul>
 * There is no Spring Cloud CircuitBreaker time limiter here (its 1 s default would cut requests
 * shorter than the route's response timeout): the response timeout is the only clock.
 */
public final class UpstreamCallFilter implements StageFilter {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCallFilter.class);

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    private final UpstreamCalls calls;

    UpstreamCallFilter(UpstreamCalls calls) {
        this.calls = calls;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        RequestState state = RequestState.of(exchange);
        RouteSpec spec = state.route();
        KeyRecord key = state.key();
        if (spec == null || key == null) {
            // cannot occur: the checks answer every request without them; fail closed if it does
            log.error("{} reached without a {}: refused", stage(), spec == null ? "route" : "key");
            return ErrorResponseWriter.write(exchange, ApiError.INTERNAL_ERROR);
        }
        UpstreamCalls.Call call = calls.call(spec, key.mode());
        if (call == null) {
            // a test key on a route without a sandbox, past KeyModeCheck (a reload removed the
            // sandbox meanwhile, or a stage was misplaced): refused, never sent to the live URI
            return ErrorResponseWriter.write(exchange, ApiError.TEST_KEY_NO_SANDBOX);
        }
        Map<String, Object> attributes = exchange.getAttributes();
        attributes.put(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR, call.route());
        attributes.put(
                ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR,
                call.url(exchange.getRequest().getURI()));
        CircuitBreaker breaker = call.breaker();
        HttpMethod method = exchange.getRequest().getMethod();
        int retries = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)
                ? spec.resilience().retries()
                : 0;
        return attempt(exchange, chain, breaker, retries, 0);
    }

    /**
     * One call, and on a retryable failure the next after a backoff. Written out rather than with
     * {@code retryWhen}: that builds a retry spec and a companion sink on every request, failing
     * or not; this costs one {@code onErrorResume} until something fails.
     */
    private Mono<Void> attempt(
            ServerWebExchange exchange,
            GatewayFilterChain chain,
            CircuitBreaker breaker,
            int retriesLeft,
            int retried) {
        Mono<Void> call = call(exchange, chain, breaker);
        if (retriesLeft <= 0) {
            return call;
        }
        return call.onErrorResume(
                e -> isRetryable(e)
                        && !exchange.getResponse().isCommitted()
                        && exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR) == null,
                e -> {
                    ServerWebExchangeUtils.reset(exchange);
                    ServerWebExchangeUtils.removeAlreadyRouted(exchange);
                    return Mono.delay(backoff(retried))
                            .then(Mono.defer(() -> attempt(exchange, chain, breaker, retriesLeft - 1, retried + 1)));
                });
    }

    /** Exponential from {@code FIRST_BACKOFF}, capped at {@code MAX_BACKOFF}, with ±50 % jitter within those bounds. */
    static Duration backoff(int retried) {
        long base = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(retried, 20));
        long jittered = base + ThreadLocalRandom.current().nextLong(-base / 2, base / 2 + 1);
        return Duration.ofMillis(Math.max(FIRST_BACKOFF.toMillis(), Math.min(MAX_BACKOFF.toMillis(), jittered)));
    }

    private Mono<Void> call(ServerWebExchange exchange, GatewayFilterChain chain, CircuitBreaker breaker) {
        if (!breaker.tryAcquirePermission()) {
            return ErrorResponseWriter.write(
                    exchange, ApiError.UPSTREAM_UNAVAILABLE.withRetryAfter(retryAfter(breaker)));
        }
        RequestState state = RequestState.of(exchange);
        state.upstreamStarted(System.nanoTime());
        RequestTrace trace = state.trace();
        Mono<Void> routed = trace == null ? chain.filter(exchange) : traced(exchange, chain, trace);
        long start = breaker.getCurrentTimestamp();
        return routed.doOnSuccess(done -> {
                    HttpStatusCode status = exchange.getResponse().getStatusCode();
                    recordAnswer(breaker, start, status == null ? 200 : status.value());
                })
                .doOnError(e -> {
                    if (isTheClients(e) || clientGone(exchange)) {
                        // the client's body ended badly (BodyLimitCheck), or the client hung up
                        // mid-call: says nothing about the upstream
                        breaker.releasePermission();
                    } else {
                        breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), e);
                    }
                    forgetUpstreamHead(exchange);
                })
                .doOnCancel(() -> {
                    // Reactor Netty may cancel the handler once the answer is flushed, before the
                    // chain's completion reaches here: an answered call still counts as answered
                    HttpClientResponse answered = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
                    if (answered != null) {
                        recordAnswer(breaker, start, answered.status().code());
                    } else {
                        breaker.releasePermission();
                    }
                });
    }

    private static void recordAnswer(CircuitBreaker breaker, long start, int status) {
        long took = breaker.getCurrentTimestamp() - start;
        if (status >= 500) {
            breaker.onError(took, breaker.getTimestampUnit(), new UpstreamServerError(status));
        } else {
            breaker.onSuccess(took, breaker.getTimestampUnit());
        }
    }

    /**
     * The call as a child span of the request's (one per attempt: a retry is a new span), whose
     * context the upstream request carries ({@link RequestTrace#injectUpstream}): the upstream's
     * name, address and port, the method, the status it answered, or the failure's type.
     */
    private static Mono<Void> traced(ServerWebExchange exchange, GatewayFilterChain chain, RequestTrace trace) {
        return Mono.defer(() -> {
            RouteSpec spec = RequestState.of(exchange).route();
            Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
            String method = exchange.getRequest().getMethod().name();
            Span span = trace.child("upstream " + method, Span.Kind.CLIENT);
            if (trace.sampled() && spec != null && route != null) {
                URI uri = route.getUri(); // the sandbox's for a test key
                span.tag("gateway.upstream", spec.upstream().name())
                        .tag("http.request.method", method)
                        .tag("server.address", String.valueOf(uri.getHost()));
                if (uri.getPort() > 0) {
                    span.tag("server.port", uri.getPort());
                }
            }
            trace.upstreamCall(span);
            return chain.filter(exchange)
                    .doOnSuccess(done -> answered(exchange, span).end())
                    .doOnError(e -> answered(exchange, span)
                            .error(new UpstreamFailed(e))
                            .end())
                    .doOnCancel(() -> answered(exchange, span).end());
        });
    }

    /**
     * Tags the status the upstream answered, when its head arrived, from the upstream's own
     * response (not the client's, which an error written by the gateway may have replaced); also
     * when the call failed after the head (a body cut short), and on cancellation: Reactor Netty may cancel the handler once the last of the answer is
     * flushed, before the chain's own completion reaches this filter, and such a call was
     * answered all the same.
     */
    private static Span answered(ServerWebExchange exchange, Span span) {
        HttpClientResponse response = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
        if (response != null) {
            int status = response.status().code();
            span.tag("http.response.status_code", status);
            if (status >= 500) {
                span.error(new UpstreamServerError(status));
            }
        }
        return span;
    }

    /** A failed call, as its span records it: the failure's type only. */
    static final class UpstreamFailed extends RuntimeException {
        UpstreamFailed(Throwable cause) {
            super(cause.getClass().getSimpleName(), null, false, false);
        }
    }

    /** A failure of the client's own request (its body refused by a filter), which says nothing of the upstream. */
    private static boolean isTheClients(Throwable e) {
        return e instanceof ApiErrorException
                || e.getCause() instanceof ApiErrorException
                || e instanceof AbortedException; // the answer could not be sent: the client's connection is gone
    }

    /**
     * Whether the client's own connection is closed. A client that resets its connection while
     * its call is in flight makes the call fail (the upstream's answer has nowhere to go), and
     * counted as the upstream's failure, a few dozen clients hanging up at once (or one attacker
     * resetting connections on purpose) would open the breaker for every client.
     */
    private static boolean clientGone(ServerWebExchange exchange) {
        Object connection = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
        return connection instanceof Connection c && !c.channel().isActive();
    }

    /**
     * When the call failed after the routing filter copied the upstream's status and headers onto
     * the response but before anything of it was sent, takes the upstream's headers back off
     * (by the names the routing filter recorded), keeping the request id: the error written
     * instead must not carry the upstream's {@code Set-Cookie}, {@code Content-Encoding} or
     * framing. The error's writer sets the status. Runs before the retry decision, which still
     * sees that a head arrived.
     */
    private static void forgetUpstreamHead(ServerWebExchange exchange) {
        Set<String> upstreamHeaders = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_HEADER_NAMES);
        if (upstreamHeaders == null || exchange.getResponse().isCommitted()) {
            return;
        }
        HttpHeaders headers = exchange.getResponse().getHeaders();
        upstreamHeaders.forEach(headers::remove);
        String requestId = RequestState.of(exchange).requestId();
        if (requestId != null) {
            headers.set(GatewayHeaders.REQUEST_ID, requestId);
        }
    }

    private static long retryAfter(CircuitBreaker breaker) {
        long openMillis = breaker.getCircuitBreakerConfig()
                .getWaitIntervalFunctionInOpenState()
                .apply(1);
        return Math.max(1, TimeUnit.MILLISECONDS.toSeconds(openMillis + 999));
    }

    /**
     * Failures where the upstream cannot have started on the request's effects: safe to repeat a
     * GET, as long as no response head arrived (checked by the caller). An answer that could not be
     * decoded is never one of them: the upstream did answer.
     */
    static boolean isRetryable(Throwable e) {
        return e instanceof ConnectException
                || e instanceof PrematureCloseException
                || e.getCause() instanceof ConnectException;
    }

    @Override
    public Stage stage() {
        return Stage.UPSTREAM_CALL;
    }

    @Override
    public String toString() {
        return "UpstreamCallFilter[breakers=" + calls.breakerNames() + "]";
    }

    /** An upstream 5xx, as the breaker sees it; the response itself passes through untouched. */
    static final class UpstreamServerError extends RuntimeException {
        UpstreamServerError(int status) {
            super("upstream answered " + status, null, false, false);
        }
    }

    /**
     * The timeouts Spring Cloud Gateway's NettyRoutingFilter reads from a route. The connect
     * timeout is left out when it equals the HTTP client's own ({@code defaultConnectMillis}): for
     * a route that names one, NettyRoutingFilter derives a new client configuration on every
     * request, which costs more than the whole of the gateway's checks (docs/performance.md).
     */
    static Map<String, Object> metadata(RouteSpec spec, @Nullable Integer defaultConnectMillis) {
        int connectMillis = (int)
                Math.min(Integer.MAX_VALUE, spec.resilience().connectTimeout().toMillis());
        long responseMillis = spec.resilience().responseTimeout().toMillis();
        return defaultConnectMillis != null && defaultConnectMillis == connectMillis
                ? Map.of("response-timeout", responseMillis)
                : Map.of("response-timeout", responseMillis, "connect-timeout", connectMillis);
    }
}
