package ai.powerpost.gateway.support;

import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.CheckPass;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * One check run the way the gateway runs it, through a {@link CheckPass} of its own: a refusal is
 * written as the gateway writes it, and {@code next} (the rest of the chain) is called when it passes.
 */
public final class OneCheck {

    private OneCheck() {}

    public static Mono<Void> run(Check check, ServerWebExchange exchange, GatewayFilterChain next) {
        return new CheckPass(List.of(check)).filter(exchange, next);
    }
}
