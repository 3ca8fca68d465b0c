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
 * @param mode       live or test ({@code mode}; absent on records of before: live)
 * @param expiresAt  from when the key is refused ({@code expires_at}); null: never
 * @param limitId    whose rate-limit allowance the key spends ({@code limit_id}); null: its own id
 * @param rolledFrom the id of the key this one succeeded in a roll; null when it was created
 * @param rolledTo   the id of the key that succeeded this one in a roll; null until it is rolled
 */
public record StoredKey(
        String id,
        String accountId,
        @Nullable String name,
        Set<Scope> scopes,
        @Nullable Instant createdAt,
        @Nullable Instant lastUsedAt,
        Map<Scope, Instant> scopesUsed,
        @Nullable String keySecret,
        KeyMode mode,
        @Nullable Instant expiresAt,
        @Nullable String limitId,
        @Nullable String rolledFrom,
        @Nullable String rolledTo) {

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

    /** A live record that never expires and was never rolled. */
    public StoredKey(
            String id,
            String accountId,
            @Nullable String name,
            Set<Scope> scopes,
            @Nullable Instant createdAt,
            @Nullable Instant lastUsedAt,
            Map<Scope, Instant> scopesUsed,
            @Nullable String keySecret) {
        this(
                id,
                accountId,
                name,
                scopes,
                createdAt,
                lastUsedAt,
                scopesUsed,
                keySecret,
                KeyMode.LIVE,
                null,
                null,
                null,
                null);
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
        for (String linked : new String[] {limitId, rolledFrom, rolledTo}) {
            if (linked != null && !isId(linked)) {
                throw new IllegalArgumentException(
                        "limit_id, rolled_from and rolled_to must be 1-" + MAX_ID + " characters of [A-Za-z0-9_-]");
            }
        }
        expiresAt = millis(expiresAt);
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

    /** A live key as the key management API creates it: never used yet, tagged with the secret {@code keySecret}. */
    public static StoredKey minted(
            String id, String accountId, String name, Set<Scope> scopes, Instant createdAt, String keySecret) {
        return new StoredKey(id, accountId, name, scopes, createdAt, null, Map.of(), keySecret);
    }

    /**
     * A key as the key management API creates it, of {@code mode}, ending at {@code expiresAt} (null:
     * never); the successor of {@code rolledFrom} when that is not null, spending {@code limitId}'s allowance.
     */
    public static StoredKey minted(
            String id,
            String accountId,
            String name,
            Set<Scope> scopes,
            Instant createdAt,
            String keySecret,
            KeyMode mode,
            @Nullable Instant expiresAt,
            @Nullable String limitId,
            @Nullable String rolledFrom) {
        return new StoredKey(
                id,
                accountId,
                name,
                scopes,
                createdAt,
                null,
                Map.of(),
                keySecret,
                mode,
                expiresAt,
                limitId,
                rolledFrom,
                null);
    }

    /** The id whose rate-limit allowance this key spends: {@code limit_id}, or its own. */
    public String rateLimitId() {
        return limitId == null ? id : limitId;
    }

    /** Whether the key is expired at {@code now}: from its end on, inclusive. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** The request path's view of this record: what the key may do, whose it is, until when. */
    public KeyRecord keyRecord(String keyHash) {
        return new KeyRecord(
                keyHash,
                id,
                accountId,
                scopes,
                mode,
                expiresAt == null ? KeyRecord.NEVER : expiresAt.toEpochMilli(),
                rateLimitId());
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
