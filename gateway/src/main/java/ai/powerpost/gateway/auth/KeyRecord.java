package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.Interner;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
 *
 * <p>Compact, as a replica may cache a hundred thousand of them (docs/key-cache.md, "Memory per
 * key"): the scope set and its header are shared by every key with the same scopes (there are few
 * distinct sets), the account id by every key of the account, and the rate-limit id is the key id
 * itself unless it differs. The key hash is the cache's own key, held once.
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

    private static final Interner<String> ACCOUNTS = Interner.newWeakInterner();

    /** Shares the scope set, its header and the account id with the keys already built. */
    public KeyRecord {
        SharedScopes shared = SharedScopes.of(scopes);
        scopes = shared.set();
        if (scopesHeader.equals(shared.header())) {
            scopesHeader = shared.header();
        }
        accountId = ACCOUNTS.intern(accountId);
        if (rateLimitId.equals(id)) {
            rateLimitId = id;
        }
    }

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
        this(keyHash, id, accountId, scopes, SharedScopes.of(scopes).header(), mode, expiresAtMillis, rateLimitId);
    }

    public boolean allows(Scope scope) {
        return scopes.contains(scope);
    }

    /** Whether the key is expired at {@code nowMillis} (epoch ms): from its end on, inclusive. */
    public boolean expiredAt(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }

    /** One distinct scope set, unmodifiable (an {@link EnumSet}: {@link #allows} is a bit test), and its header. */
    private record SharedScopes(Set<Scope> set, String header) {

        /** By bit mask of the scopes' ordinals: 2^14 slots, filled as sets are met. */
        private static final AtomicReferenceArray<SharedScopes> BY_MASK =
                new AtomicReferenceArray<>(1 << Scope.values().length);

        static SharedScopes of(Set<Scope> scopes) {
            int mask = 0;
            for (Scope scope : scopes) {
                mask |= 1 << scope.ordinal();
            }
            SharedScopes shared = BY_MASK.get(mask);
            if (shared == null) {
                EnumSet<Scope> copy = EnumSet.noneOf(Scope.class);
                copy.addAll(scopes);
                shared = new SharedScopes(Collections.unmodifiableSet(copy), Scope.join(copy));
                if (!BY_MASK.compareAndSet(mask, null, shared)) {
                    shared = BY_MASK.get(mask);
                }
            }
            return shared;
        }
    }
}
