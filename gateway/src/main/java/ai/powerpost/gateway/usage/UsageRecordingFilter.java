package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.routing.RouteSpec;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Hands every request that passed all checks to the {@link LastUsedRecorder}, and its answer,
 * when the response commits (whoever writes it: the upstream, a gateway error further on), to the
 * {@link KeyUsageRecorder}; costs no I/O.
 */
final class UsageRecordingFilter extends RouteCheck {

    private final LastUsedRecorder recorder;
    private final KeyUsageRecorder usage;

    UsageRecordingFilter(LastUsedRecorder recorder, KeyUsageRecorder usage) {
        this.recorder = recorder;
        this.usage = usage;
    }

    @Override
    protected Mono<Void> check(ServerWebExchange exchange, RouteSpec route, KeyRecord key, GatewayFilterChain chain) {
        recorder.record(key.keyHash(), route.scope(), System.currentTimeMillis());
        ServerHttpResponse response = exchange.getResponse();
        String client = RequestState.of(exchange).clientAddress();
        response.beforeCommit(() -> {
            HttpStatusCode status = response.getStatusCode();
            usage.record(key, route.id(), status == null ? 200 : status.value(), client, System.currentTimeMillis());
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    @Override
    public Stage stage() {
        return Stage.RECORD_USAGE;
    }

    @Override
    public String toString() {
        return "UsageRecordingFilter";
    }
}
