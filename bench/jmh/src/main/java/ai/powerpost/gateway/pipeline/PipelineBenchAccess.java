package ai.powerpost.gateway.pipeline;

import org.springframework.web.server.ServerWebExchange;

/** For the JMH benchmarks only (bench/jmh): lets a benchmark reuse one exchange for a fresh request. */
public final class PipelineBenchAccess {

    private PipelineBenchAccess() {}

    /** Forgets the exchange's request state, as if no stage had seen it. */
    public static Object forget(ServerWebExchange exchange) {
        return exchange.getAttributes().remove(RequestState.ATTRIBUTE);
    }
}
