package ai.powerpost.gateway.admin.operators;

import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.redis.RedisSchema;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The codec of the operator record hash {@code ppgw:op:{<sha256 of the token>}}
 * (docs/redis-schema.md). Reading fails closed: a record without an id, a name, a known role or
 * a creation time is no operator at all. Times are epoch milliseconds in decimal.
 */
public final class OperatorRecords {

    private OperatorRecords() {}

    public static Map<String, String> encode(Operator operator) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(RedisSchema.ID, operator.id());
        fields.put(RedisSchema.NAME, operator.name());
        fields.put(RedisSchema.ROLE, operator.role().wireName());
        fields.put(RedisSchema.CREATED_AT, Long.toString(operator.createdAt().toEpochMilli()));
        if (operator.expiresAt() != null) {
            fields.put(
                    RedisSchema.EXPIRES_AT, Long.toString(operator.expiresAt().toEpochMilli()));
        }
        fields.put(RedisSchema.CREATED_BY, operator.createdBy());
        if (operator.lastUsedAt() != null) {
            fields.put(
                    RedisSchema.LAST_USED_AT,
                    Long.toString(operator.lastUsedAt().toEpochMilli()));
        }
        return fields;
    }

    public static Optional<Operator> decode(Map<String, String> fields) {
        String id = fields.get(RedisSchema.ID);
        String name = fields.get(RedisSchema.NAME);
        Role role = Role.fromWireName(fields.get(RedisSchema.ROLE));
        Instant createdAt = instant(fields.get(RedisSchema.CREATED_AT));
        String expires = fields.get(RedisSchema.EXPIRES_AT);
        Instant expiresAt = instant(expires);
        if (id == null || name == null || role == null || createdAt == null || (expires != null && expiresAt == null)) {
            return Optional.empty();
        }
        return Optional.of(new Operator(
                id,
                name,
                role,
                createdAt,
                expiresAt,
                fields.getOrDefault(RedisSchema.CREATED_BY, ""),
                instant(fields.get(RedisSchema.LAST_USED_AT))));
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
