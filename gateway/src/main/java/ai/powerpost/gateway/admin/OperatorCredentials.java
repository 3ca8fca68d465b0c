package ai.powerpost.gateway.admin;

import reactor.core.publisher.Mono;

/** The named operators' tokens, as authentication asks about them (implemented by {@code admin.operators}). */
public interface OperatorCredentials {

    /**
     * The operator whose token this is; empty when no live operator has it (unknown, revoked or
     * expired). Read from Redis on every call, never cached: a revocation holds on every replica
     * at once. Records the use (off the call, in a batch).
     */
    Mono<Actor> authenticate(String token);

    /**
     * The live operator with this id (not revoked, not expired), read from Redis on every call as
     * {@link #authenticate} is; empty otherwise. The console's sessions hold an operator's id, never
     * its token, and ask this on every page.
     */
    Mono<Actor> current(String operatorId);
}
