package ai.powerpost.gateway.metrics;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.auth.AuthContext;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ErrorResponseWriter;
import ai.powerpost.gateway.errors.JsonStrings;
import ai.powerpost.gateway.proxy.UpstreamCallFilter;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.web.GatewayHeaders;
import ai.powerpost.gateway.web.RequestIdFilter;
import ai.powerpost.gateway.web.TrustedProxies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Outermost filter: when the response is committed (its status known, whoever wrote it: the
 * upstream, a filter's error, or the exception handler), records the request in
 * {@link GatewayMeters} and writes one JSON access-log line: request id, route, method, status,
 * total and upstream milliseconds, key id, account id, workspace id, client address, denial
 * reason. Never a key, never the path (a query string can hold a key a client put there).
 * The line goes to the {@code access} logger, which logback writes through {@link BatchingStdoutAppender}
 * (a lock-free queue flushed in batches: the request thread never waits or wakes anyone).
 */
public final class AccessLogFilter implements GlobalFilter, Ordered {

    static final Logger ACCESS = LoggerFactory.getLogger("access");

    private final GatewayMeters meters;
    private final TrustedProxies proxies;

    public AccessLogFilter(GatewayMeters meters, TrustedProxies proxies) {
        this.meters = meters;
        this.proxies = proxies;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long start = System.nanoTime();
        exchange.getResponse().beforeCommit(() -> {
            record(exchange, start, System.nanoTime());
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    private void record(ServerWebExchange exchange, long start, long end) {
        HttpStatusCode code = exchange.getResponse().getStatusCode();
        int status = code == null ? 200 : code.value();
        RouteMatch match = exchange.getAttribute(RouteMatch.ATTRIBUTE);
        String route = match instanceof RouteMatch.Found found ? found.route().id() : "unmatched";
        ApiError denial = exchange.getAttribute(ErrorResponseWriter.ATTRIBUTE);
        Long upstreamStart = exchange.getAttribute(UpstreamCallFilter.UPSTREAM_STARTED_ATTRIBUTE);
        long upstream = upstreamStart == null || denial != null ? -1 : end - upstreamStart;
        String method = exchange.getRequest().getMethod().name();
        meters.request(route, method, status, denial, end - start, upstream);
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info(line(exchange, route, method, status, denial, end - start, upstream));
        }
    }

    private String line(ServerWebExchange exchange, String route, String method, int status, ApiError denial,
                        long totalNanos, long upstreamNanos) {
        AuthContext auth = AuthContext.of(exchange);
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "request_id", exchange.getAttribute(RequestIdFilter.ATTRIBUTE));
        field(json, "route", route);
        field(json, "method", method);
        json.append("\"status\":").append(status).append(',');
        millis(json.append("\"total_ms\":"), totalNanos).append(',');
        json.append("\"upstream_ms\":");
        (upstreamNanos < 0 ? json.append("null") : millis(json, upstreamNanos)).append(',');
        field(json, "key_id", auth == null ? null : auth.key().id());
        field(json, "account_id", auth == null ? null : auth.key().accountId());
        field(json, "workspace_id", auth == null ? null : exchange.getRequest().getHeaders().getFirst(GatewayHeaders.WORKSPACE_ID));
        field(json, "client", proxies.clientAddress(exchange.getRequest()));
        field(json, "denial", denial == null ? null : DenialReasons.of(denial));
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    /** Milliseconds with three decimals, as String.format("%.3f") would write them, without a Formatter. */
    static StringBuilder millis(StringBuilder out, long nanos) {
        long micros = (Math.max(0, nanos) + 500) / 1000;
        long fraction = micros % 1000;
        out.append(micros / 1000).append('.');
        if (fraction < 100) {
            out.append(fraction < 10 ? "00" : "0");
        }
        return out.append(fraction);
    }

    private static void field(StringBuilder json, String name, Object value) {
        json.append('"').append(name).append("\":");
        if (value == null) {
            json.append("null");
        } else {
            JsonStrings.append(json, value.toString());
        }
        json.append(',');
    }

    @Override
    public int getOrder() {
        return FilterOrder.ACCESS_LOG;
    }

    @Override
    public String toString() {
        return "AccessLogFilter";
    }
}
