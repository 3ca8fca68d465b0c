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
}
