package ai.powerpost.gateway.pipeline;

import org.springframework.web.server.ServerWebExchange;

/**
 * One check of every request, run by the one {@link CheckPass}, in the order of its {@link Stage}:
 * a plain method that decides ({@link Verdict}), handed the exchange and the typed
 * {@link RequestState}. One class, one decision. A check is declared as a {@code @Bean} in its
 * package's configuration, never as a {@code @Component}; {@code PipelineOrderIT} compares the
 * running pass with {@link Stage}.
 *
 * <p>A check returns at once. Where it must wait (a look-up in Redis) it says so with
 * {@link Verdict#waitFor}; it never blocks, and it never subscribes to anything itself.
 */
public interface Check {

    /** Its place: a stage whose {@link Stage#isCheck()} is true. */
    Stage stage();

    /** The decision on this request. A thrown exception is answered as any error of the pipeline (500). */
    Verdict check(ServerWebExchange exchange, RequestState state);
}
