package ai.powerpost.gateway.admin.keys;

import static ai.powerpost.gateway.admin.RedisRetry.retried;

import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.RedisRetry;
import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An account's keys and workspaces in Redis (docs/redis-schema.md): the management API's only
 * reader and writer of them. Every write takes a {@link Changes.Permit}, so it is made through
 * {@link Changes} (role checked, audit entry written first) or not at all.
 *
 * <p>Each Redis command of a write is retried on its own when that is safe ({@link RedisRetry}).
 * Creation is never retried whole: it draws a new secret each time it runs. Instead its steps are
 * retried with the secret and id already drawn, and the one step that is not idempotent, the claim
 * of a place in the index (a second run of the script after a lost reply sees the account one key
 * fuller and may refuse: the caller would get 409 for a key that was in fact claimed), is made so:
 * each attempt first reads the index, and a place that already holds this key's fresh, random id
 * is this call's own claim.
 */
public final class KeysStore {

    /** Claims a place for a key in the account's index unless the account is at its limit. */
    static final RedisScript<Long> CLAIM = RedisScript.of("""
            if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final ApiKeyStore store;
    private final KeyTags tags;
    private final int maxKeysPerAccount;
    private final SecureRandom random;

    KeysStore(
            ReactiveStringRedisTemplate redis,
            ApiKeyStore store,
            KeyTags tags,
            int maxKeysPerAccount,
            SecureRandom random) {
        this.redis = redis;
        this.store = store;
        this.tags = tags;
        this.maxKeysPerAccount = maxKeysPerAccount;
        this.random = random;
    }

    /** A fresh key id, drawn before the change so that its audit entry names the key. */
    String newKeyId() {
        return "key_" + ApiKeys.randomBase62(random, 20);
    }

    /** A key as shown once at creation. */
    public record CreatedKey(String id, String key, String name, Set<Scope> scopes, Instant createdAt) {}

    /**
     * Creates the key {@code keyId} with a fresh secret; empty when the account already holds its
     * limit of keys. The record, its secret's set and the key-id index are written before the claim
     * of a place in the account's index, which makes the key live; a refused claim takes them back.
     */
    Mono<CreatedKey> create(Changes.Permit permit, String accountId, String keyId, String name, Set<Scope> scopes) {
        Objects.requireNonNull(permit);
        KeyTags.Minted minted = tags.mint(random);
        String secret = minted.key();
        String hash = ApiKeys.hash(secret);
        StoredKey key = StoredKey.minted(keyId, accountId, name, scopes, Instant.now(), minted.secretId());
        String keyIdIndex = RedisSchema.keyIdAccount(keyId);
        String recordKey = RedisSchema.keyRecord(hash);
        String secretKeys = RedisSchema.secretKeys(minted.secretId());
        String index = RedisSchema.accountKeys(accountId);
        // The claim, made idempotent: a place already holding this key's id (fresh and random, so
        // no other call ever writes it) is this call's own claim, made by an attempt whose reply was lost.
        Mono<Long> claim = redis.<String, String>opsForHash()
                .get(index, key.id())
                .map(claimedHash -> 1L)
                .switchIfEmpty(Mono.defer(() -> RedisScripts.eval(
                        redis, CLAIM, List.of(index), List.of(key.id(), hash, Integer.toString(maxKeysPerAccount)))));
        return retried(redis.opsForHash().putAll(recordKey, KeyRecords.encode(key)))
                .then(retried(redis.opsForSet().add(secretKeys, hash)))
                .then(retried(redis.opsForValue().set(keyIdIndex, accountId)))
                .then(retried(claim))
                .flatMap(claimed -> claimed == 1L
                        ? announceKey(hash)
                                .thenReturn(new CreatedKey(
                                        key.id(), secret, name, key.scopes(), Objects.requireNonNull(key.createdAt())))
                        : retried(redis.delete(recordKey))
                                .then(retried(redis.opsForSet().remove(secretKeys, hash)))
                                .then(retried(redis.delete(keyIdIndex)))
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
    Mono<SecretsReport> secrets() {
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
    Flux<Map<String, Object>> list(String accountId) {
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
    Mono<Boolean> revoke(Changes.Permit permit, String accountId, String keyId) {
        Objects.requireNonNull(permit);
        String index = RedisSchema.accountKeys(accountId);
        return retried(redis.<String, String>opsForHash().get(index, keyId))
                .flatMap(hash -> retried(redis.<String, String>opsForHash()
                                .get(RedisSchema.keyRecord(hash), RedisSchema.KEY_SECRET))
                        .map(RedisSchema::secretKeys)
                        .defaultIfEmpty(RedisSchema.UNTAGGED_KEYS)
                        .flatMap(holder -> retried(redis.delete(RedisSchema.keyRecord(hash)))
                                .then(retried(redis.opsForHash().remove(index, keyId)))
                                .then(retried(redis.opsForSet().remove(holder, hash)))
                                .then(retried(redis.delete(RedisSchema.keyIdAccount(keyId))))
                                .then(announceKey(hash))
                                .thenReturn(true)))
                .defaultIfEmpty(false);
    }

    Mono<Void> addWorkspace(Changes.Permit permit, String accountId, String workspaceId) {
        Objects.requireNonNull(permit);
        return retried(redis.opsForSet().add(RedisSchema.accountWorkspaces(accountId), workspaceId))
                .then(announceWorkspaces(accountId));
    }

    Mono<Void> removeWorkspace(Changes.Permit permit, String accountId, String workspaceId) {
        Objects.requireNonNull(permit);
        return retried(redis.opsForSet().remove(RedisSchema.accountWorkspaces(accountId), workspaceId))
                .then(announceWorkspaces(accountId));
    }

    /**
     * The record of the key {@code keyId}, with its account, found through the key-id index; empty
     * when no active key has this id (or it predates the index: docs/redis-schema.md).
     */
    Mono<Map<String, Object>> find(String keyId) {
        return redis.opsForValue()
                .get(RedisSchema.keyIdAccount(keyId))
                .flatMap(accountId -> redis.<String, String>opsForHash()
                        .get(RedisSchema.accountKeys(accountId), keyId)
                        .flatMap(hash -> redis.<String, String>opsForHash()
                                .entries(RedisSchema.keyRecord(hash))
                                .collectMap(Map.Entry::getKey, Map.Entry::getValue))
                        .filter(fields -> !fields.isEmpty())
                        .map(fields -> {
                            Map<String, Object> view = new LinkedHashMap<>();
                            view.put("account_id", accountId);
                            view.putAll(KeyRecords.decode(fields)
                                    .map(Listed::of)
                                    .orElseGet(() -> Listed.unusable(keyId))
                                    .view());
                            return view;
                        }));
    }

    /**
     * Indexes by id the keys created before the key-id index existed, once (a marker says it was
     * done): every account's key index is scanned and each key id without an entry gets one
     * ({@code SET NX}: an entry written meanwhile by a creation wins). Idempotent, so replicas
     * starting together may all run it. Schema upkeep, not a change of what anyone may do: it
     * writes no audit entry. The number of entries added.
     */
    Mono<Long> indexExistingKeyIds() {
        return redis.hasKey(RedisSchema.KEY_IDS_INDEXED)
                .flatMap(done -> done
                        ? Mono.just(0L)
                        : redis.scan(ScanOptions.scanOptions()
                                        .match(RedisSchema.ACCOUNT_KEYS_PATTERN)
                                        .count(1000)
                                        .build())
                                .concatMap(index -> {
                                    String accountId = RedisSchema.accountOfKeys(index);
                                    return accountId == null
                                            ? Flux.<Boolean>empty()
                                            : redis.<String, String>opsForHash()
                                                    .keys(index)
                                                    .concatMap(keyId -> redis.opsForValue()
                                                            .setIfAbsent(RedisSchema.keyIdAccount(keyId), accountId));
                                })
                                .filter(Boolean::booleanValue)
                                .count()
                                .flatMap(added -> redis.opsForValue()
                                        .set(
                                                RedisSchema.KEY_IDS_INDEXED,
                                                Instant.now().toString())
                                        .thenReturn(added)));
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

    /**
     * Revokes a key reported as leaked (package {@code leaks}, on the public port), exactly as
     * {@link #revoke} does, invalidation on every replica included. The reporter found the key by its
     * hash; the id and account come from its record. A record the account's index does not hold (an
     * untagged key some other writer left without its index entry) still authenticates, so it is
     * deleted by its hash instead, as long as it is still this key's. False when there is nothing
     * left to revoke (revoked meanwhile).
     */
    public Mono<Boolean> revokeReported(Changes.Permit permit, String accountId, String keyId, String keyHash) {
        return revoke(permit, accountId, keyId)
                .flatMap(revoked -> revoked ? Mono.just(true) : revokeUnindexed(keyId, keyHash));
    }

    private Mono<Boolean> revokeUnindexed(String keyId, String keyHash) {
        String record = RedisSchema.keyRecord(keyHash);
        return retried(redis.<String, String>opsForHash().get(record, RedisSchema.ID))
                .filter(keyId::equals)
                .flatMap(same -> retried(redis.<String, String>opsForHash().get(record, RedisSchema.KEY_SECRET))
                        .map(RedisSchema::secretKeys)
                        .defaultIfEmpty(RedisSchema.UNTAGGED_KEYS)
                        .flatMap(holder -> retried(redis.delete(record))
                                .then(retried(redis.opsForSet().remove(holder, keyHash)))
                                .then(announceKey(keyHash))
                                .thenReturn(true)))
                .defaultIfEmpty(false);
    }
}
