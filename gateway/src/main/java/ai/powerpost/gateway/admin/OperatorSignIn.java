package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.access.BruteForceGuard;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Who a token belongs to, for the console's sign-in, with the same rules as {@link AdminAuthentication}:
 * the bootstrap token (compared in constant time, while it is accepted) is {@link Actor#ROOT}, a
 * live named operator's token is that operator; a token refused counts as a failed attempt of the
 * client address ({@link BruteForceGuard}), and an address over its budget is refused whatever it sends.
 * A session then holds the actor's id, never the token, and {@link #current} re-reads the operator
 * on every page (a revoked or expired operator is signed out at its next click).
 */
public final class OperatorSignIn {

    /** The outcome of a sign-in: the actor, or none; {@code throttled} when the address is over its budget. */
    public record Outcome(@Nullable Actor actor, boolean throttled) {}

    private final byte @Nullable [] rootDigest;
    private final OperatorCredentials operators;
    private final BruteForceGuard guard;

    public OperatorSignIn(AdminProperties properties, OperatorCredentials operators, BruteForceGuard guard) {
        String token = properties.token();
        this.rootDigest = properties.rootAccepted() && token != null ? sha256(token) : null;
        this.operators = operators;
        this.guard = guard;
    }

    /** Signs {@code token} in for the client at {@code client}. */
    public Mono<Outcome> signIn(String token, String client) {
        if (guard.throttled(client)) {
            return Mono.just(new Outcome(null, true));
        }
        String given = token.strip();
        if (rootDigest != null && MessageDigest.isEqual(sha256(given), rootDigest)) {
            return Mono.just(new Outcome(Actor.ROOT, false));
        }
        if (!OperatorTokens.isWellFormed(given)) {
            return Mono.fromSupplier(() -> refused(client));
        }
        return operators
                .authenticate(given)
                .map(actor -> new Outcome(actor, false))
                .switchIfEmpty(Mono.fromSupplier(() -> refused(client)));
    }

    /** The actor a session names, as it stands now: empty when revoked, expired, or root no longer accepted. */
    public Mono<Actor> current(String actorId) {
        if (Actor.ROOT.id().equals(actorId)) {
            return rootDigest == null ? Mono.empty() : Mono.just(Actor.ROOT);
        }
        return operators.current(actorId);
    }

    private Outcome refused(String client) {
        guard.recordFailure(client);
        return new Outcome(null, false);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
