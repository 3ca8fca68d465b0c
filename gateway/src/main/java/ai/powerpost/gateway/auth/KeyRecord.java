package ai.powerpost.gateway.auth;

import java.util.Set;

/**
 * A key as the gateway knows it after look-up; never the secret.
 *
 * @param keyHash         SHA-256 of the secret, hex
 * @param id              public key id, e.g. {@code key_…}
 * @param accountId       the owning account
 * @param scopes          what the key may do (legacy types already mapped to scopes)
 * @param scopesHeader    {@code scopes} as the space-separated value sent upstream, computed once
 * @param mode            live or test: which upstreams the key may reach
 * @param expiresAtMillis the instant (epoch ms) from which the key is refused; {@link Long#MAX_VALUE}: never
 * @param rateLimitId     whose rate-limit allowance the key spends: its own id, or for the successor
 *                        of a roll the id its predecessor spent (so the two share one allowance)
 */
public record KeyRecord(
        String keyHash,
        String id,
        String accountId,
        Set<Scope> scopes,
        String scopesHeader,
        KeyMode mode,
        long expiresAtMillis,
        String rateLimitId) {

    /** The instant of a key that never expires. */
    public static final long NEVER = Long.MAX_VALUE;

    /** A live key that never expires, spending its own allowance. */
    public KeyRecord(String keyHash, String id, String accountId, Set<Scope> scopes) {
        this(keyHash, id, accountId, scopes, KeyMode.LIVE, NEVER, id);
    }

    public KeyRecord(
            String keyHash,
            String id,
            String accountId,
            Set<Scope> scopes,
            KeyMode mode,
            long expiresAtMillis,
            String rateLimitId) {
        this(keyHash, id, accountId, Set.copyOf(scopes), Scope.join(scopes), mode, expiresAtMillis, rateLimitId);
    }

    public boolean allows(Scope scope) {
        return scopes.contains(scope);
    }

    /** Whether the key is expired at {@code nowMillis} (epoch ms): from its end on, inclusive. */
    public boolean expiredAt(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }
}
