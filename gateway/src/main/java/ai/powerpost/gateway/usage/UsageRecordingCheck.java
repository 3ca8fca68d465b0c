package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteSpec;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Hands every request that passed all checks to the {@link LastUsedRecorder}, and its answer,
 * when the response commits (whoever writes it: the upstream, a gateway error further on), to the
 * {@link KeyUsageRecorder}; costs no I/O.
 */
final class UsageRecordingCheck extends RouteCheck {

    private final LastUsedRecorder recorder;
    private final KeyUsageRecorder usage;

    UsageRecordingCheck(LastUsedRecorder recorder, KeyUsageRecorder usage) {
        this.recorder = recorder;
        this.usage = usage;
    }

    @Override
    protected Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key) {
        recorder.record(key.keyHash(), route.scope(), System.currentTimeMillis());
        ServerHttpResponse response = exchange.getResponse();
        String client = state.clientAddress();
        response.beforeCommit(() -> {
            HttpStatusCode status = response.getStatusCode();
            usage.record(key, route.id(), status == null ? 200 : status.value(), client, System.currentTimeMillis());
            return Mono.empty();
        });
        return Verdict.PASS;
    }

    @Override
    public Stage stage() {
        return Stage.RECORD_USAGE;
    }

    @Override
    public String toString() {
        return "UsageRecordingCheck";
    }
}
