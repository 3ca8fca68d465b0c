package ai.powerpost.gateway.auth;

import ai.powerpost.gateway.redis.RedisSchema;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codec of the key record hash {@code ppgw:key:{<sha256>}} (docs/redis-schema.md): the one
 * place that knows how its fields are written and read. The request path reads through it
 * ({@link RedisKeyReader}), the key management API writes and lists through it
 * ({@code admin.keys.KeysStore}), and the last-used flush names its fields with it
 * ({@code usage.LastUsedRecorder}).
 *
 * <p>Reading fails closed on what decides access: a record without a well-formed {@code id} or
 * {@code account_id}, or whose {@code scopes} (or legacy {@code type}) are missing, empty or name
 * anything but PowerPost's 14 scopes, or whose {@code mode} is neither {@code live} nor
 * {@code test}, or whose {@code expires_at} is not a time, or whose {@code limit_id},
 * {@code rolled_from} or {@code rolled_to} is not an id, is no key at all; the request path logs it by key id (never
 * another value of it). Records of PowerPost's earlier model carry {@code type} ({@code read_write},
 * {@code read_draft}) instead of {@code scopes} and map to the full-access and draft-only sets; a
 * record with both is read by {@code scopes}. The descriptive fields never grant anything, so
 * they are read leniently: a {@code name} or {@code created_at} that is missing, a timestamp that is
 * not a decimal number, or an {@code su:} field of an unknown scope, is read as absent.
 *
 * <p>Times are epoch milliseconds in decimal ({@link Long#toString(long)}); scopes are their wire
 * names joined by one space, in {@link Scope} declaration order.
 */
public final class KeyRecords {

    private static final Logger log = LoggerFactory.getLogger(KeyRecords.class);
    private static final Scope[] SCOPES = Scope.values();
    private static final String[] SCOPE_USED_FIELDS = new String[SCOPES.length];

    static {
        for (Scope scope : SCOPES) {
            SCOPE_USED_FIELDS[scope.ordinal()] = RedisSchema.SCOPE_USED_PREFIX + scope.wireName();
        }
    }

    private KeyRecords() {}

    /**
     * The hash fields of {@code key}, in the order they are written: {@code id}, {@code account_id},
     * {@code name}, {@code scopes}, {@code created_at}, then {@code last_used_at} and the {@code su:}
     * fields when the record has them, {@code key_secret} when the key is tagged, then, when set, {@code mode}
     * (only {@code test}: absent is live), {@code expires_at}, {@code limit_id}, {@code rolled_from}, {@code rolled_to}. A
     * field whose value is null is left out.
     */
    public static Map<String, String> encode(StoredKey key) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(RedisSchema.ID, key.id());
        fields.put(RedisSchema.ACCOUNT_ID, key.accountId());
        if (key.name() != null) {
            fields.put(RedisSchema.NAME, key.name());
        }
        fields.put(RedisSchema.SCOPES, Scope.join(key.scopes()));
        if (key.createdAt() != null) {
            fields.put(RedisSchema.CREATED_AT, timestamp(key.createdAt().toEpochMilli()));
        }
        if (key.lastUsedAt() != null) {
            fields.put(RedisSchema.LAST_USED_AT, timestamp(key.lastUsedAt().toEpochMilli()));
        }
        key.scopesUsed().forEach((scope, at) -> fields.put(scopeUsedField(scope), timestamp(at.toEpochMilli())));
        if (key.keySecret() != null) {
            fields.put(RedisSchema.KEY_SECRET, key.keySecret());
        }
        if (key.mode() != KeyMode.LIVE) {
            fields.put(RedisSchema.MODE, key.mode().wireName()); // absent: live, as on every record of before
        }
        if (key.expiresAt() != null) {
            fields.put(RedisSchema.EXPIRES_AT, timestamp(key.expiresAt().toEpochMilli()));
        }
        if (key.limitId() != null) {
            fields.put(RedisSchema.LIMIT_ID, key.limitId());
        }
        if (key.rolledFrom() != null) {
            fields.put(RedisSchema.ROLLED_FROM, key.rolledFrom());
        }
        if (key.rolledTo() != null) {
            fields.put(RedisSchema.ROLLED_TO, key.rolledTo());
        }
        return fields;
    }

    /**
     * The record these hash fields hold; empty when there are none (no such key) or when the
     * record is unusable (fail closed). Silent: the key management API shows an unusable record
     * as such; the request path's {@link #parse} logs it.
     */
    public static Optional<StoredKey> decode(Map<String, String> fields) {
        return Optional.ofNullable(read(fields).key());
    }

    /** The request path's read: the key these fields hold, or empty for no key (missing, or unusable and logged). */
    static Optional<KeyRecord> parse(String keyHash, Map<String, String> fields) {
        Read read = read(fields);
        if (read.problem() != null) {
            // The id only when it is well-formed: a malformed one is not written into a log line.
            String id = fields.get(RedisSchema.ID);
            log.warn(
                    "unusable key record (key id {}): {}; treated as unknown",
                    id == null ? "(none)" : StoredKey.isId(id) ? id : "(malformed)",
                    read.problem());
        }
        return read.key() == null ? Optional.empty() : Optional.of(read.key().keyRecord(keyHash));
    }

    /** A hash read: the record, or why it is unusable, or neither (no fields: no such key). */
    private record Read(@Nullable StoredKey key, @Nullable String problem) {}

    private static Read read(Map<String, String> fields) {
        if (fields.isEmpty()) {
            return new Read(null, null);
        }
        Set<Scope> scopes = scopes(fields);
        if (scopes == null) {
            return new Read(null, "missing, empty or unknown scopes (or legacy type)");
        }
        String modeName = fields.get(RedisSchema.MODE);
        KeyMode mode = modeName == null ? KeyMode.LIVE : KeyMode.fromWireName(modeName);
        if (mode == null) {
            return new Read(null, "unknown mode");
        }
        String expires = fields.get(RedisSchema.EXPIRES_AT);
        Instant expiresAt = instant(expires);
        if (expires != null && expiresAt == null) {
            return new Read(null, "expires_at is not a time"); // it decides access: fail closed
        }
        try {
            return new Read(
                    new StoredKey(
                            nonNull(fields.get(RedisSchema.ID)),
                            nonNull(fields.get(RedisSchema.ACCOUNT_ID)),
                            fields.get(RedisSchema.NAME),
                            scopes,
                            instant(fields.get(RedisSchema.CREATED_AT)),
                            instant(fields.get(RedisSchema.LAST_USED_AT)),
                            scopesUsed(fields),
                            fields.get(RedisSchema.KEY_SECRET),
                            mode,
                            expiresAt,
                            fields.get(RedisSchema.LIMIT_ID),
                            fields.get(RedisSchema.ROLLED_FROM),
                            fields.get(RedisSchema.ROLLED_TO)),
                    null);
        } catch (IllegalArgumentException e) {
            return new Read(null, e.getMessage());
        }
    }

    /** The field holding the newest use of the key with {@code scope}: {@code su:<wire name>}. */
    public static String scopeUsedField(Scope scope) {
        return SCOPE_USED_FIELDS[scope.ordinal()];
    }

    /** A time as the record holds it: epoch milliseconds, decimal. */
    public static String timestamp(long epochMillis) {
        return Long.toString(epochMillis);
    }

    private static String nonNull(@Nullable String value) {
        return value == null ? "" : value;
    }

    private static @Nullable Set<Scope> scopes(Map<String, String> fields) {
        String scopes = fields.get(RedisSchema.SCOPES);
        if (scopes == null) {
            String type = fields.get(RedisSchema.TYPE);
            return type == null ? null : Scope.legacyType(type);
        }
        Set<Scope> parsed = EnumSet.noneOf(Scope.class);
        for (String name : scopes.trim().split("\\s+")) {
            Scope scope = Scope.fromWireName(name);
            if (scope == null) {
                return null;
            }
            parsed.add(scope);
        }
        return parsed.isEmpty() ? null : parsed;
    }

    private static Map<Scope, Instant> scopesUsed(Map<String, String> fields) {
        Map<Scope, Instant> used = new EnumMap<>(Scope.class);
        for (Scope scope : SCOPES) {
            Instant at = instant(fields.get(scopeUsedField(scope)));
            if (at != null) {
                used.put(scope, at);
            }
        }
        return used;
    }

    private static @Nullable Instant instant(@Nullable String epochMillis) {
        if (epochMillis == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(epochMillis));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
