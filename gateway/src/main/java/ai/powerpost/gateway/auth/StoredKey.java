package ai.powerpost.gateway.auth;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A key record as stored in Redis ({@code ppgw:key:{<sha256>}}, docs/redis-schema.md), every
 * field of it; never the secret or its hash. {@link KeyRecords} writes and reads it. A value of
 * this type is always a usable record: the rules the reader applies are checked here, so the
 * writer cannot store what the request path would refuse.
 *
 * @param id         public key id: 1-64 characters of {@code [A-Za-z0-9_-]} ({@code key_} + 20 base-62 when created here)
 * @param accountId  owning account: 1-64 characters of {@code [A-Za-z0-9_-]}
 * @param name       display name; null on records that lack one
 * @param scopes     what the key may do, never empty (legacy {@code type} records already mapped)
 * @param createdAt  creation time, to the millisecond; null on records that lack one
 * @param lastUsedAt newest authorised use, to the millisecond; null until the first flush
 * @param scopesUsed newest use per scope, to the millisecond
 * @param keySecret  the id of the secret whose tag the key carries ({@code key_secret}); null on
 *                   untagged records, which must be in the untagged-key set (docs/redis-schema.md)
 */
public record StoredKey(
        String id,
        String accountId,
        @Nullable String name,
        Set<Scope> scopes,
        @Nullable Instant createdAt,
        @Nullable Instant lastUsedAt,
        Map<Scope, Instant> scopesUsed,
        @Nullable String keySecret) {

    private static final int MAX_ID = 64;

    /** An untagged record. */
    public StoredKey(
            String id,
            String accountId,
            @Nullable String name,
            Set<Scope> scopes,
            @Nullable Instant createdAt,
            @Nullable Instant lastUsedAt,
            Map<Scope, Instant> scopesUsed) {
        this(id, accountId, name, scopes, createdAt, lastUsedAt, scopesUsed, null);
    }

    public StoredKey {
        if (!isId(id)) {
            throw new IllegalArgumentException("id must be 1-" + MAX_ID + " characters of [A-Za-z0-9_-]");
        }
        if (!isId(accountId)) {
            throw new IllegalArgumentException("account_id must be 1-" + MAX_ID + " characters of [A-Za-z0-9_-]");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("scopes must not be empty");
        }
        scopes = Collections.unmodifiableSet(EnumSet.copyOf(scopes));
        createdAt = millis(createdAt);
        lastUsedAt = millis(lastUsedAt);
        EnumMap<Scope, Instant> used = new EnumMap<>(Scope.class);
        scopesUsed.forEach((scope, at) -> used.put(scope, at.truncatedTo(ChronoUnit.MILLIS)));
        scopesUsed = Collections.unmodifiableMap(used);
    }

    /** A key never used yet, without a tag (as the demo writes its fixed keys). */
    public static StoredKey created(String id, String accountId, String name, Set<Scope> scopes, Instant createdAt) {
        return new StoredKey(id, accountId, name, scopes, createdAt, null, Map.of(), null);
    }

    /** A key as the key management API creates it: never used yet, tagged with the secret {@code keySecret}. */
    public static StoredKey minted(
            String id, String accountId, String name, Set<Scope> scopes, Instant createdAt, String keySecret) {
        return new StoredKey(id, accountId, name, scopes, createdAt, null, Map.of(), keySecret);
    }

    /** The request path's view of this record: what the key may do, and whose it is. */
    public KeyRecord keyRecord(String keyHash) {
        return new KeyRecord(keyHash, id, accountId, scopes);
    }

    /** 1-64 characters of {@code [A-Za-z0-9_-]}: the one form of key and account ids, safe in headers, logs and key names. */
    static boolean isId(@Nullable String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static @Nullable Instant millis(@Nullable Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS);
    }
}
