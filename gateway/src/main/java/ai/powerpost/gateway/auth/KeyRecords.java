package ai.powerpost.gateway.auth;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ai.powerpost.gateway.redis.RedisSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a key record hash from Redis into a {@link KeyRecord}. A record without id or account, or
 * whose scopes are unreadable, is treated as no key at all (fail closed) and logged by key id.
 * Records of PowerPost's earlier model carry {@code type} ({@code read_write}, {@code read_draft})
 * instead of {@code scopes} and map to the full-access and draft-only scope sets.
 */
final class KeyRecords {

    private static final Logger log = LoggerFactory.getLogger(KeyRecords.class);

    private KeyRecords() {
    }

    static Optional<KeyRecord> parse(String keyHash, Map<String, String> fields) {
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        String id = fields.get(RedisSchema.ID);
        String accountId = fields.get(RedisSchema.ACCOUNT_ID);
        Set<Scope> scopes = scopes(fields);
        if (id == null || accountId == null || scopes == null) {
            log.warn("unusable key record (key id {}): missing id, account or scopes; treated as unknown", id);
            return Optional.empty();
        }
        return Optional.of(new KeyRecord(keyHash, id, accountId, scopes));
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
}
