package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.auth.AuthContext;
import ai.powerpost.gateway.routing.RouteMatch;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Hands every request that passed all checks to the {@link LastUsedRecorder}; costs no I/O. */
final class UsageRecordingFilter implements GlobalFilter, Ordered {

    private final LastUsedRecorder recorder;

    UsageRecordingFilter(LastUsedRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        AuthContext auth = AuthContext.of(exchange);
        RouteMatch match = exchange.getAttribute(RouteMatch.ATTRIBUTE);
        if (auth != null && match instanceof RouteMatch.Found found) {
            recorder.record(auth.key().keyHash(), found.route().scope(), System.currentTimeMillis());
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.RECORD_USAGE;
    }

    @Override
    public String toString() {
        return "UsageRecordingFilter";
    }
}
