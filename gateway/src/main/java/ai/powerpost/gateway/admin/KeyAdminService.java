package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

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
 *
 * <p>Every key made here is tagged ({@link KeyTags}) with the minting secret, whose id the record
 * keeps ({@code key_secret}); the set of each secret ({@link RedisSchema#secretKeys}) holds the
 * hashes of its live keys (added before the key is claimed, removed when it is revoked, so it
 * never counts fewer than there are), which tells an operator when a retired secret no longer
 * verifies any live key ({@link #secrets}).
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
    private final KeyTags tags;
    private final AdminProperties properties;
    private final SecureRandom random;

    public KeyAdminService(
            ReactiveStringRedisTemplate redis, ApiKeyStore store, KeyTags tags, AdminProperties properties) {
        this.redis = redis;
        this.store = store;
        this.tags = tags;
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
    public record CreatedKey(String id, String key, String name, Set<Scope> scopes, Instant createdAt) {}

    /** Creates a key with a fresh secret; empty when the account already holds its limit of keys. */
    public Mono<CreatedKey> create(String accountId, String name, Set<Scope> scopes) {
        KeyTags.Minted minted = tags.mint(random);
        String secret = minted.key();
        String hash = ApiKeys.hash(secret);
        StoredKey key = StoredKey.minted(
                "key_" + ApiKeys.randomBase62(random, 20), accountId, name, scopes, Instant.now(), minted.secretId());
        String recordKey = RedisSchema.keyRecord(hash);
        String secretKeys = RedisSchema.secretKeys(minted.secretId());
        return retried(redis.opsForHash().putAll(recordKey, KeyRecords.encode(key)))
                .then(retried(redis.opsForSet().add(secretKeys, hash)))
                .then(RedisScripts.eval(
                        redis,
                        CLAIM,
                        List.of(RedisSchema.accountKeys(accountId)),
                        List.of(key.id(), hash, Integer.toString(properties.maxKeysPerAccount()))))
                .flatMap(claimed -> claimed == 1L
                        ? announceKey(hash)
                                .thenReturn(new CreatedKey(
                                        key.id(), secret, name, key.scopes(), Objects.requireNonNull(key.createdAt())))
                        : redis.delete(recordKey)
                                .then(redis.opsForSet().remove(secretKeys, hash))
                                .then(Mono.empty()));
    }

    /** One secret as the key management API reports it: never the secret itself. */
    public record SecretUse(String id, boolean minting, long liveKeys) {}

    /** What each configured secret is used for, and how many keys carry no tag. */
    public record SecretsReport(List<SecretUse> secrets, long untaggedKeys) {}

    /**
     * For each configured secret, whether it mints and how many live keys it tagged (a secret with
     * none may be retired), and the number of untagged keys (they need no secret).
     */
    public Mono<SecretsReport> secrets() {
        return Flux.fromIterable(tags.secretIds())
                .concatMap(id -> redis.opsForSet()
                        .size(RedisSchema.secretKeys(id))
                        .map(count -> new SecretUse(id, id.equals(tags.mintingSecretId()), count)))
                .collectList()
                .zipWith(redis.opsForSet().size(RedisSchema.UNTAGGED_KEYS), SecretsReport::new);
    }

    /**
     * The account's active keys, oldest first; never a secret or a hash. Each record is read
     * through {@link KeyRecords}, as the request path reads it: a record the request path would
     * refuse is listed by its id with {@code "usable": false} and no scopes (it grants nothing,
     * yet holds one of the account's places until it is revoked).
     */
    public Flux<Map<String, Object>> list(String accountId) {
        return redis.<String, String>opsForHash()
                .entries(RedisSchema.accountKeys(accountId))
                .concatMap(entry -> redis.<String, String>opsForHash()
                        .entries(RedisSchema.keyRecord(entry.getValue()))
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                        .filter(fields -> !fields.isEmpty()) // revoked a moment ago: the index entry goes next
                        .map(fields -> KeyRecords.decode(fields)
                                .map(Listed::of)
                                .orElseGet(() -> Listed.unusable(entry.getKey()))))
                .sort(Listed.OLDEST_FIRST)
                .map(Listed::view);
    }

    /**
     * Revokes the key; false when the account has no such key. Its hash leaves the set of the
     * secret that tagged it, or the untagged-key set (replicas' filters keep it until their next
     * rebuild: it only costs a look-up).
     */
    public Mono<Boolean> revoke(String accountId, String keyId) {
        String index = RedisSchema.accountKeys(accountId);
        return redis.<String, String>opsForHash()
                .get(index, keyId)
                .flatMap(hash -> redis.<String, String>opsForHash()
                        .get(RedisSchema.keyRecord(hash), RedisSchema.KEY_SECRET)
                        .map(RedisSchema::secretKeys)
                        .defaultIfEmpty(RedisSchema.UNTAGGED_KEYS)
                        .flatMap(holder -> retried(redis.delete(RedisSchema.keyRecord(hash)))
                                .then(retried(redis.opsForHash().remove(index, keyId)))
                                .then(retried(redis.opsForSet().remove(holder, hash)))
                                .then(announceKey(hash))
                                .thenReturn(true)))
                .transform(KeyAdminService::retried)
                .defaultIfEmpty(false);
    }

    public Mono<Void> addWorkspace(String accountId, String workspaceId) {
        return retried(redis.opsForSet().add(RedisSchema.accountWorkspaces(accountId), workspaceId))
                .then(announceWorkspaces(accountId));
    }

    public Mono<Void> removeWorkspace(String accountId, String workspaceId) {
        return retried(redis.opsForSet().remove(RedisSchema.accountWorkspaces(accountId), workspaceId))
                .then(announceWorkspaces(accountId));
    }

    /**
     * One idempotent Redis step, retried when Redis could not be reached or did not answer in time
     * (a reconnect, a Sentinel failover): at most {@value #RETRIES} more times, 100 ms apart and
     * doubling, so a blip is invisible to the caller and an outage still answers 503 within about
     * a second plus the command timeouts. Only steps that may run twice are wrapped: deleting,
     * removing from and adding to sets, announcing (a second announcement evicts again, harmlessly).
     * Key creation's claim of a place in the account's index is not (run twice at the account's
     * limit it would refuse the key it had just admitted), so creation is retried only up to it.
     */
    static <T> Mono<T> retried(Mono<T> step) {
        return step.retryWhen(Retry.backoff(RETRIES, Duration.ofMillis(100))
                .maxBackoff(Duration.ofMillis(400))
                .filter(KeyAdminService::isBlip)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private static final int RETRIES = 3;

    /** Redis unreachable or too slow, as opposed to a command Redis refused. */
    static boolean isBlip(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof QueryTimeoutException
                    || t instanceof io.lettuce.core.RedisConnectionException
                    || t instanceof io.lettuce.core.RedisCommandTimeoutException
                    || (t instanceof io.lettuce.core.RedisException
                            && String.valueOf(t.getMessage()).contains("not connected"))) {
                return true;
            }
        }
        return false;
    }

    private Mono<Void> announceKey(String hash) {
        store.invalidateKey(hash);
        return retried(redis.convertAndSend(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.KEY_MESSAGE + hash))
                .then();
    }

    private Mono<Void> announceWorkspaces(String accountId) {
        store.invalidateWorkspaces(accountId);
        return retried(redis.convertAndSend(
                        RedisSchema.INVALIDATION_CHANNEL, RedisSchema.WORKSPACES_MESSAGE + accountId))
                .then();
    }

    /** One entry of the list: its creation time, to sort by, and what is shown. */
    private record Listed(@Nullable Instant createdAt, Map<String, Object> view) {

        /** Records without a creation time (legacy, unusable) first, as the oldest. */
        static final Comparator<Listed> OLDEST_FIRST =
                Comparator.comparing(Listed::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()));

        static Listed of(StoredKey key) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", key.id());
            view.put("name", key.name());
            view.put("scopes", key.scopes().stream().map(Scope::wireName).toList());
            view.put("created_at", iso(key.createdAt()));
            view.put("last_used_at", iso(key.lastUsedAt()));
            Map<String, Object> used = new TreeMap<>();
            key.scopesUsed().forEach((scope, at) -> used.put(scope.wireName(), at.toString()));
            view.put("scopes_used", used);
            view.put("usable", true);
            return new Listed(key.createdAt(), view);
        }

        static Listed unusable(String keyId) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", keyId);
            view.put("name", null);
            view.put("scopes", List.of());
            view.put("created_at", null);
            view.put("last_used_at", null);
            view.put("scopes_used", Map.of());
            view.put("usable", false);
            return new Listed(null, view);
        }

        private static @Nullable String iso(@Nullable Instant at) {
            return at == null ? null : at.toString();
        }
    }
}
