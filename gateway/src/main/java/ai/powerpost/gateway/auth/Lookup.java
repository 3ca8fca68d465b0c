package ai.powerpost.gateway.auth;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A look-up of the key store: answered {@link Now} when the local cache already holds the answer
 * (the common case: a warm key, a known-unknown key, a cached account), or {@link Later} when
 * Redis has to be asked. Filters answer a {@code Now} without building a reactive pipeline.
 */
public sealed interface Lookup<T> {

    Lookup<Boolean> TRUE = new Now<>(Boolean.TRUE);
    Lookup<Boolean> FALSE = new Now<>(Boolean.FALSE);

    /** The answer, from the cache; {@code null} when the answer is "none" (an unknown key). */
    record Now<T>(@Nullable T value) implements Lookup<T> {}

    /** The answer once Redis replies; empty for "none", an error when Redis cannot be asked. */
    record Later<T>(Mono<T> value) implements Lookup<T> {}

    /** Either answer as a Mono: empty for "none". */
    default Mono<T> toMono() {
        return this instanceof Now<T> now ? Mono.justOrEmpty(now.value()) : ((Later<T>) this).value();
    }
}
