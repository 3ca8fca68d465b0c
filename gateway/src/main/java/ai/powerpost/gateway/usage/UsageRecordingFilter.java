package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.routing.RouteSpec;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Hands every request that passed all checks to the {@link LastUsedRecorder}; costs no I/O. */
final class UsageRecordingFilter extends RouteCheck {

    private final LastUsedRecorder recorder;

    UsageRecordingFilter(LastUsedRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    protected Mono<Void> check(ServerWebExchange exchange, RouteSpec route, KeyRecord key, GatewayFilterChain chain) {
        recorder.record(key.keyHash(), route.scope(), System.currentTimeMillis());
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
