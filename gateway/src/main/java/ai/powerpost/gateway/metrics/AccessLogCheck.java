package ai.powerpost.gateway.metrics;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.JsonStrings;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RequestTrace;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The first check: when the response is committed (its status known, whoever wrote it: the
 * upstream, a filter's error, or the exception handler), records the request in
 * {@link GatewayMeters} and writes one JSON access-log line: request id, trace id (null when
 * tracing is off), route, method, status,
 * total and upstream milliseconds, key id, account id, workspace id, client address, denial
 * reason. Never a key, never the path (a query string can hold a key a client put there).
 * The line goes to the {@code access} logger, which logback writes through {@link BatchingStdoutAppender}
 * (a lock-free queue flushed in batches: the request thread never waits or wakes anyone).
 */
public final class AccessLogCheck implements Check {

    static final Logger ACCESS = LoggerFactory.getLogger("access");

    /**
     * The line is built in one builder per thread (event loops, a few other threads), sized for a
     * line with long ids, so building it allocates nothing but the String handed to the logger.
     */
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(640));

    private final GatewayMeters meters;

    public AccessLogCheck(GatewayMeters meters) {
        this.meters = meters;
    }

    @Override
    public Verdict check(ServerWebExchange exchange, RequestState state) {
        exchange.getResponse().beforeCommit(() -> {
            record(exchange, state, System.nanoTime());
            return Mono.empty();
        });
        return Verdict.PASS;
    }

    private void record(ServerWebExchange exchange, RequestState state, long end) {
        HttpStatusCode code = exchange.getResponse().getStatusCode();
        int status = code == null ? 200 : code.value();
        String route = state.routeId();
        ApiError denial = state.denial();
        long upstreamStart = state.upstreamStartNanos();
        long upstream = upstreamStart < 0 || denial != null ? -1 : end - upstreamStart;
        String method = exchange.getRequest().getMethod().name();
        long total = end - state.startNanos();
        meters.request(route, method, status, denial, total, upstream);
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info(line(exchange, state, route, method, status, denial, total, upstream));
        }
    }

    private static String line(
            ServerWebExchange exchange,
            RequestState state,
            String route,
            String method,
            int status,
            @Nullable ApiError denial,
            long totalNanos,
            long upstreamNanos) {
        KeyRecord key = state.key();
        StringBuilder json = LINE.get();
        json.setLength(0);
        json.append('{');
        field(json, "request_id", state.requestId());
        RequestTrace trace = state.trace();
        field(json, "trace_id", trace == null ? null : trace.traceId());
        field(json, "route", route);
        field(json, "method", method);
        json.append("\"status\":").append(status).append(',');
        millis(json.append("\"total_ms\":"), totalNanos).append(',');
        json.append("\"upstream_ms\":");
        (upstreamNanos < 0 ? json.append("null") : millis(json, upstreamNanos)).append(',');
        field(json, "key_id", key == null ? null : key.id());
        field(json, "account_id", key == null ? null : key.accountId());
        field(
                json,
                "workspace_id",
                key == null ? null : exchange.getRequest().getHeaders().getFirst(GatewayHeaders.WORKSPACE_ID));
        field(json, "client", state.clientAddress());
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
    public Stage stage() {
        return Stage.ACCESS_LOG;
    }

    @Override
    public String toString() {
        return "AccessLogCheck";
    }
}
