package ai.powerpost.gateway.pipeline;

import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The one global filter that runs every {@link Check}, in {@link Stage} order, as plain method
 * calls: stage {@link Stage#CHECKS}.
 *
 * <p>This replaces what was a global filter per check (thirteen of them). Spring Cloud Gateway runs
 * each global filter through its own chain object, adapter and {@code Mono.defer}, and each of
 * those stages added operators and a subscription to every request: the largest share of the
 * gateway's CPU beyond the framework's own (docs/performance.md). For a warm, valid key every
 * check is a few in-memory decisions, so here they run in one loop: a request that every check
 * passes reaches the upstream call through this one filter with no operator assembled by the
 * checks. Only a check that must wait ({@link Verdict.Wait}: a key or a workspace list the cache does
 * not know, the equal-time delay of a refusal) makes the pass asynchronous, and only from there on.
 *
 * <p>Whatever a check decides ends here: a refusal is written by {@link ErrorResponseWriter}, an
 * exception a check throws becomes the exchange's error (answered by the one exception handler, as
 * a filter's would be), and the request's server span, when tracing is on, ends when the exchange
 * does, whatever happened.
 */
public final class CheckPass implements StageFilter {

    private final Check[] checks;

    /**
     * @param checks every check of the gateway, in any order: they run in {@link Stage} order; two
     *               checks of one stage, or a check of a filter's stage, are a wiring defect and refused
     */
    public CheckPass(List<? extends Check> checks) {
        Check[] sorted = checks.toArray(Check[]::new);
        Arrays.sort(sorted, Comparator.comparingInt(check -> check.stage().order()));
        Set<Stage> seen = EnumSet.noneOf(Stage.class);
        for (Check check : sorted) {
            if (!check.stage().isCheck()) {
                throw new IllegalStateException(
                        check + " declares " + check.stage() + ", a filter's stage, not a check's");
            }
            if (!seen.add(check.stage())) {
                throw new IllegalStateException("two checks of stage " + check.stage());
            }
        }
        this.checks = sorted;
    }

    /** The stages of the checks this pass runs, in the order it runs them. */
    public List<Stage> stages() {
        return Arrays.stream(checks).map(Check::stage).toList();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        RequestState state = RequestState.of(exchange);
        Mono<Void> result = run(exchange, state, chain, 0);
        RequestTrace trace = state.trace(); // the TRACE check, when on, ran synchronously above
        return trace == null
                ? result
                : result.doFinally(signal -> trace.server().end());
    }

    /** Runs the checks from {@code from} on, synchronously until one decides otherwise than to pass. */
    private Mono<Void> run(ServerWebExchange exchange, RequestState state, GatewayFilterChain chain, int from) {
        ServerWebExchange current = exchange;
        for (int i = from; i < checks.length; i++) {
            Verdict verdict;
            try {
                verdict = checks[i].check(current, state);
            } catch (RuntimeException e) {
                return Mono.error(e);
            }
            if (verdict == Verdict.PASS) {
                continue;
            }
            if (verdict instanceof Verdict.Continue next) {
                current = next.exchange();
                continue;
            }
            return decided(verdict, current, state, chain, i + 1);
        }
        return chain.filter(current);
    }

    private Mono<Void> decided(
            Verdict verdict, ServerWebExchange exchange, RequestState state, GatewayFilterChain chain, int next) {
        if (verdict instanceof Verdict.Refuse refuse) {
            return ErrorResponseWriter.write(exchange, refuse.error());
        }
        if (verdict instanceof Verdict.Answered answered) {
            return answered.answer();
        }
        if (verdict instanceof Verdict.Wait wait) {
            return wait.decision()
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException(
                            "a check waited for a decision that never came: " + checks[next - 1])))
                    .flatMap(after -> after == Verdict.PASS
                            ? run(exchange, state, chain, next)
                            : after instanceof Verdict.Continue with
                                    ? run(with.exchange(), state, chain, next)
                                    : decided(after, exchange, state, chain, next));
        }
        if (verdict instanceof Verdict.Continue with) {
            return run(with.exchange(), state, chain, next);
        }
        return run(exchange, state, chain, next); // PASS
    }

    @Override
    public Stage stage() {
        return Stage.CHECKS;
    }

    @Override
    public String toString() {
        return Arrays.stream(checks).map(Object::toString).collect(Collectors.joining(", ", "CheckPass[", "]"));
    }
}
