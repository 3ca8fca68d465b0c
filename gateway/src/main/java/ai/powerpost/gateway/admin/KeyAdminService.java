package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisReadOnlyException;
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
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
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
 *
 * <p><b>Retries.</b> A Redis blip (a dropped connection, a reconnect, a failover's first moments, a
 * command timeout) must not reach the caller of a write. Each Redis command of a write is retried
 * on its own ({@link #RETRY}: {@value #MAX_RETRIES} more times, 100 ms doubling up to 800 ms,
 * under 2 s of waiting in all, on a timer, never blocking), and only where running it twice does
 * what running it once does: {@code HSET} of the same fields, {@code SADD}/{@code SREM}/{@code DEL}
 * /{@code HDEL} of the same members, a read, a repeated invalidation message. A failed command
 * may have run before its reply was lost; every one of these commands is safe either way.
 *
 * <p>Never retried: a whole call. Creation draws a new secret and id each time it runs, so running
 * it again would make a second key (and show only one of them). Instead its steps are retried
 * with the secret and id already drawn, and the one step that is not idempotent, the claim of a
 * place in the index (a second run of the script after a lost reply sees the account one key
 * fuller and may refuse: the caller would get 409 for a key that was in fact claimed), is made so:
 * each attempt first reads the index, and a place that already holds this key's fresh, random id
 * is this call's own claim. A refusal ({@code KEY_LIMIT_REACHED}) and any Redis error reply other
 * than a failover's ({@code READONLY}, {@code LOADING}, {@code MASTERDOWN}) are never retried.
 */
public final class KeyAdminService {

    /** Claims a place for a key in the account's index unless the account is at its limit. */
    static final RedisScript<Long> CLAIM = RedisScript.of("""
            if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """, Long.class);

    private static final Logger log = LoggerFactory.getLogger(KeyAdminService.class);

    /** Retries of one idempotent command after its first attempt. */
    static final int MAX_RETRIES = 4;

    /**
     * 100, 200, 400, 800 ms (each ±50 %, at most 800 ms): under 2 s of waiting in all, enough to ride
     * out a reconnect (Lettuce retries within about half a second) and a short refusal of
     * connections, short enough for the management call's own 5 s bound.
     */
    static final Retry RETRY = Retry.backoff(MAX_RETRIES, Duration.ofMillis(100))
            .maxBackoff(Duration.ofMillis(800))
            .filter(KeyAdminService::isTransient)
            .doBeforeRetry(signal -> log.info(
                    "key management: Redis command failed ({}), retry {} of {}",
                    signal.failure().getClass().getSimpleName(),
                    signal.totalRetries() + 1,
                    MAX_RETRIES))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure());

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
        String index = RedisSchema.accountKeys(accountId);
        // The claim, made idempotent: a place already holding this key's id (fresh and random, so
        // no other call ever writes it) is this call's own claim, made by an attempt whose reply was lost.
        Mono<Long> claim = redis.<String, String>opsForHash()
                .get(index, key.id())
                .map(claimedHash -> 1L)
                .switchIfEmpty(Mono.defer(() -> RedisScripts.eval(
                        redis,
                        CLAIM,
                        List.of(index),
                        List.of(key.id(), hash, Integer.toString(properties.maxKeysPerAccount())))));
        return retried(redis.opsForHash().putAll(recordKey, KeyRecords.encode(key)))
                .then(retried(redis.opsForSet().add(secretKeys, hash)))
                .then(retried(claim))
                .flatMap(claimed -> claimed == 1L
                        ? announceKey(hash)
                                .thenReturn(new CreatedKey(
                                        key.id(), secret, name, key.scopes(), Objects.requireNonNull(key.createdAt())))
                        : retried(redis.delete(recordKey))
                                .then(retried(redis.opsForSet().remove(secretKeys, hash)))
                                .then(Mono.empty()));
    }

    /** One idempotent command, retried on a transient failure ({@link #RETRY}). */
    private static <T> Mono<T> retried(Mono<T> command) {
        return command.retryWhen(RETRY);
    }

    /**
     * A failure that says nothing about the command but that it did not get through, or not in
     * time: no connection, a connection lost or refused, a timeout, or the reply of a node in the
     * middle of a failover. Not an error reply about the command itself.
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RedisConnectionFailureException
                    || e instanceof QueryTimeoutException
                    || e instanceof RedisConnectionException
                    || e instanceof RedisCommandTimeoutException
                    || e instanceof TimeoutException
                    || e instanceof RedisReadOnlyException
                    || e instanceof RedisLoadingException) {
                return true;
            }
            if (e instanceof RedisCommandExecutionException reply) {
                String message = reply.getMessage();
                return message != null && message.startsWith("MASTERDOWN");
            }
            if (e instanceof RedisException && !(e instanceof RedisCommandInterruptedException)) {
                // Lettuce's own, not a server's reply: "Connection closed", "Currently not connected"
                return true;
            }
        }
        return false;
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
        return retried(redis.<String, String>opsForHash().get(index, keyId))
                .flatMap(hash -> retried(redis.<String, String>opsForHash()
                                .get(RedisSchema.keyRecord(hash), RedisSchema.KEY_SECRET))
                        .map(RedisSchema::secretKeys)
                        .defaultIfEmpty(RedisSchema.UNTAGGED_KEYS)
                        .flatMap(holder -> retried(redis.delete(RedisSchema.keyRecord(hash)))
                                .then(retried(redis.opsForHash().remove(index, keyId)))
                                .then(retried(redis.opsForSet().remove(holder, hash)))
                                .then(announceKey(hash))
                                .thenReturn(true)))
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
