package ai.powerpost.gateway.admin;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.redis.RedisSchema;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The only write path for keys and workspace ownership. Every write that changes what a key may
 * do is announced on the invalidation channel, so every replica's cache evicts it, and evicted
 * here at once, so this replica's very next request sees it.
 *
 * <p>Creating a key writes its record first and then claims a place in the account's index with a
 * script that enforces the limit atomically (the record and the index live in different cluster
 * slots; the secret has not been shown to anyone until both succeed, so a record without a place
 * is unreachable and is deleted). Revoking deletes the record first: from that moment no replica
 * can load the key again.
 */
public final class KeyAdminService {

    /** Claims a place for a key in the account's index unless the account is at its limit. */
    static final RedisScript<Long> CLAIM = RedisScript.of("""
            if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final ApiKeyStore store;
    private final AdminProperties properties;
    private final SecureRandom random;

    public KeyAdminService(ReactiveStringRedisTemplate redis, ApiKeyStore store, AdminProperties properties) {
        this.redis = redis;
        this.store = store;
        this.properties = properties;
        try {
            // DRBG: seeded once, then pure computation; no blocking read of /dev/random per key.
            this.random = SecureRandom.getInstance("DRBG");
            this.random.nextInt(); // seeds now, at start-up, not on an event loop at the first key
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("DRBG SecureRandom is required", e);
        }
    }

    /** A key as shown once at creation. */
    public record CreatedKey(String id, String key, String name, Set<Scope> scopes, Instant createdAt) {
    }

    /** Creates a key with a fresh secret; empty when the account already holds its limit of keys. */
    public Mono<CreatedKey> create(String accountId, String name, Set<Scope> scopes) {
        String secret = ApiKeys.generate(random);
        String id = "key_" + ApiKeys.randomBase62(random, 20);
        String hash = ApiKeys.hash(secret);
        Instant now = Instant.now();
        Map<String, String> record = new LinkedHashMap<>();
        record.put(RedisSchema.ID, id);
        record.put(RedisSchema.ACCOUNT_ID, accountId);
        record.put(RedisSchema.NAME, name);
        record.put(RedisSchema.SCOPES, Scope.join(scopes));
        record.put(RedisSchema.CREATED_AT, Long.toString(now.toEpochMilli()));
        String recordKey = RedisSchema.keyRecord(hash);
        return redis.opsForHash().putAll(recordKey, record)
                .then(redis.execute(CLAIM, List.of(RedisSchema.accountKeys(accountId)),
                        List.of(id, hash, Integer.toString(properties.maxKeysPerAccount()))).next())
                .flatMap(claimed -> claimed == 1L
                        ? announceKey(hash).thenReturn(new CreatedKey(id, secret, name, scopes, now))
                        : redis.delete(recordKey).then(Mono.empty()));
    }

    /** The account's active keys, oldest first; never a secret or a hash. */
    public Flux<Map<String, Object>> list(String accountId) {
        return redis.<String, String>opsForHash().entries(RedisSchema.accountKeys(accountId))
                .concatMap(entry -> redis.<String, String>opsForHash().entries(RedisSchema.keyRecord(entry.getValue()))
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue))
                .filter(fields -> !fields.isEmpty())
                .sort(Comparator.comparing((Map<String, String> fields) -> fields.getOrDefault(RedisSchema.CREATED_AT, "0"),
                        Comparator.comparingLong(Long::parseLong)))
                .map(KeyAdminService::view);
    }

    /** Revokes the key; false when the account has no such key. */
    public Mono<Boolean> revoke(String accountId, String keyId) {
        String index = RedisSchema.accountKeys(accountId);
        return redis.<String, String>opsForHash().get(index, keyId)
                .flatMap(hash -> redis.delete(RedisSchema.keyRecord(hash))
                        .then(redis.opsForHash().remove(index, keyId))
                        .then(announceKey(hash))
                        .thenReturn(true))
                .defaultIfEmpty(false);
    }

    public Mono<Void> addWorkspace(String accountId, String workspaceId) {
        return redis.opsForSet().add(RedisSchema.accountWorkspaces(accountId), workspaceId)
                .then(announceWorkspaces(accountId));
    }

    public Mono<Void> removeWorkspace(String accountId, String workspaceId) {
        return redis.opsForSet().remove(RedisSchema.accountWorkspaces(accountId), workspaceId)
                .then(announceWorkspaces(accountId));
    }

    private Mono<Void> announceKey(String hash) {
        store.invalidateKey(hash);
        return redis.convertAndSend(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.KEY_MESSAGE + hash).then();
    }

    private Mono<Void> announceWorkspaces(String accountId) {
        store.invalidateWorkspaces(accountId);
        return redis.convertAndSend(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.WORKSPACES_MESSAGE + accountId).then();
    }

    private static Map<String, Object> view(Map<String, String> fields) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", fields.get(RedisSchema.ID));
        view.put("name", fields.get(RedisSchema.NAME));
        view.put("scopes", scopes(fields));
        view.put("created_at", iso(fields.get(RedisSchema.CREATED_AT)));
        view.put("last_used_at", iso(fields.get(RedisSchema.LAST_USED_AT)));
        Map<String, Object> used = new TreeMap<>();
        fields.forEach((field, value) -> {
            if (field.startsWith(RedisSchema.SCOPE_USED_PREFIX)) {
                used.put(field.substring(RedisSchema.SCOPE_USED_PREFIX.length()), iso(value));
            }
        });
        view.put("scopes_used", used);
        return view;
    }

    private static List<String> scopes(Map<String, String> fields) {
        String scopes = fields.get(RedisSchema.SCOPES);
        if (scopes != null) {
            return List.of(scopes.trim().split("\\s+"));
        }
        Set<Scope> legacy = Scope.legacyType(fields.getOrDefault(RedisSchema.TYPE, ""));
        return legacy == null ? List.of() : legacy.stream().map(Scope::wireName).toList();
    }

    private static @Nullable String iso(@Nullable String epochMillis) {
        if (epochMillis == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(epochMillis)).toString();
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
