package ai.powerpost.gateway.pipeline;

import ai.powerpost.gateway.errors.ApiError;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * What a {@link Check} decided about a request. Most checks of a warm, valid request answer
 * {@link #PASS}, a constant: deciding costs no allocation and assembles no Reactor operator.
 * <ul>
 * <li>{@link #PASS}: on to the next check;</li>
 * <li>{@link Refuse}: the request is answered with this error ({@link ErrorResponseWriter}) and no
 *     later check runs;</li>
 * <li>{@link Continue}: on to the next check, with this exchange in place of the one it was given
 *     (a decorated body, a request without a declined upgrade offer): only where a check must change
 *     the request;</li>
 * <li>{@link Wait}: the decision needs I/O (a key the cache does not know, a workspace list not
 *     cached, the equal-time delay of a refusal): the checks go on once it is known. The only
 *     verdict that assembles operators, and only for the requests that need it;</li>
 * <li>{@link Answered}: the check answers the request itself (the gateway's own endpoints): no
 *     later check runs and nothing is proxied.</li>
 * </ul>
 */
public sealed interface Verdict {

    /** Go on to the next check. */
    Verdict PASS = Pass.INSTANCE;

    /** Answer the request with {@code error}; no later check runs. */
    static Verdict refuse(ApiError error) {
        return new Refuse(error);
    }

    /** Go on with {@code exchange} in place of the one the check was given. */
    static Verdict continueWith(ServerWebExchange exchange) {
        return new Continue(exchange);
    }

    /** Go on once {@code decision} is known: it must emit exactly one verdict (an empty one is a defect: 500). */
    static Verdict waitFor(Mono<Verdict> decision) {
        return new Wait(decision);
    }

    /** The check answers the request itself with {@code answer}. */
    static Verdict answered(Mono<Void> answer) {
        return new Answered(answer);
    }

    /** See {@link #PASS}. */
    enum Pass implements Verdict {
        INSTANCE
    }

    /** See {@link #refuse}. */
    record Refuse(ApiError error) implements Verdict {}

    /** See {@link #continueWith}. */
    record Continue(ServerWebExchange exchange) implements Verdict {}

    /** See {@link #waitFor}. */
    record Wait(Mono<Verdict> decision) implements Verdict {}

    /** See {@link #answered}. */
    record Answered(Mono<Void> answer) implements Verdict {}
}
