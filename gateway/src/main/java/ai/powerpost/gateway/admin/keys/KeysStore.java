package ai.powerpost.gateway.admin.keys;

import static ai.powerpost.gateway.admin.RedisRetry.retried;

import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.RedisRetry;
import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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

    /**
     * Claims a place for a key in the account's index unless the account already holds its limit
     * of unexpired keys of the key's mode. Keys already rolled (their entry ends in {@code rolled})
     * are leaving and do not count, nor does ARGV[7] when not empty (the key a roll replaces). KEYS: the index, its key-info hash. ARGV: key id, hash, limit, mode, end (epoch
     * ms, 0: none), now, the id not counted.
     */
    static final RedisScript<Long> CLAIM = RedisScript.of("""
            local count = 0
            local now = tonumber(ARGV[6])
            for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
              if id ~= ARGV[7] then
                local mode, ends = 'live', 0
                local info = redis.call('HGET', KEYS[2], id)
                if info then
                  local m, e, rolled = string.match(info, '^(%a+) (%d+)(.*)$')
                  if m then mode = m; ends = tonumber(e) end
                  if rolled == ' rolled' then mode = '' end
                end
                if mode == ARGV[4] and (ends == 0 or ends > now) then count = count + 1 end
              end
            end
            if count >= tonumber(ARGV[3]) then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[4] .. ' ' .. ARGV[5])
            return 1
            """, Long.class);

    /**
     * Takes out of the account's index the keys whose end lies more than the retention in the past,
     * and returns them as {@code "id hash id hash …"} (empty: none). KEYS: the index, its key-info
     * hash. ARGV: now, the retention in ms.
     */
    static final RedisScript<String> PRUNE = RedisScript.of("""
            local out = {}
            local infos = redis.call('HGETALL', KEYS[2])
            for i = 1, #infos, 2 do
              local e = string.match(infos[i + 1], '^%a+ (%d+)')
              local ends = tonumber(e or '0')
              if ends > 0 and ends + tonumber(ARGV[2]) <= tonumber(ARGV[1]) then
                local h = redis.call('HGET', KEYS[1], infos[i])
                redis.call('HDEL', KEYS[1], infos[i])
                redis.call('HDEL', KEYS[2], infos[i])
                if h then
                  table.insert(out, infos[i])
                  table.insert(out, h)
                end
              end
            end
            return table.concat(out, ' ')
            """, String.class);

    /**
     * Marks the key record as rolled to its successor and sets its new end, unless it was rolled
     * to another key already (0) or is no longer this key's record (-1: revoked meanwhile). A
     * repeat for the same successor (a retry after a lost reply) succeeds again. KEYS: the record.
     * ARGV: the key's id, the successor's id, the new end (epoch ms), when Redis deletes the record.
     */
    static final RedisScript<Long> MARK_ROLLED = RedisScript.of("""
            if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return -1 end
            local rolled = redis.call('HGET', KEYS[1], 'rolled_to')
            if rolled and rolled ~= ARGV[2] then return 0 end
            redis.call('HSET', KEYS[1], 'rolled_to', ARGV[2], 'expires_at', ARGV[3])
            redis.call('PEXPIREAT', KEYS[1], ARGV[4])
            return 1
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final ApiKeyStore store;
    private final KeyTags tags;
    private final int maxKeysPerAccount;
    private final Duration expiredRetention;
    private final SecureRandom random;
    private final Clock clock;

    KeysStore(
            ReactiveStringRedisTemplate redis,
            ApiKeyStore store,
            KeyTags tags,
            int maxKeysPerAccount,
            Duration expiredRetention,
            SecureRandom random,
            Clock clock) {
        this.redis = redis;
        this.store = store;
        this.tags = tags;
        this.maxKeysPerAccount = maxKeysPerAccount;
        this.expiredRetention = expiredRetention;
        this.random = random;
        this.clock = clock;
    }

    /** The store's clock: keys' creation times and ends are on it. */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A fresh key id, drawn before the change so that its audit entry names the key. */
    String newKeyId() {
        return "key_" + ApiKeys.randomBase62(random, 20);
    }

    /** A key as shown once at creation or roll. */
    public record CreatedKey(StoredKey key, String secret) {
        @Override
        public String toString() {
            return "CreatedKey[id=" + key.id() + ", secret=(shown once)]";
        }
    }

    /** What a new key is to be: its name, scopes and mode, and its end (null: none). */
    record NewKey(
            String name,
            Set<Scope> scopes,
            KeyMode mode,
            @Nullable Instant expiresAt) {}

    /**
     * Creates the key {@code keyId} with a fresh secret; empty when the account already holds its
     * limit of unexpired keys of that mode. The record, its secret's set and the key-id index are
     * written before the claim of a place in the account's index, which makes the key live; a
     * refused claim takes them back.
     */
    Mono<CreatedKey> create(Changes.Permit permit, String accountId, String keyId, NewKey spec) {
        Objects.requireNonNull(permit);
        return mintAndClaim(accountId, keyId, spec, null);
    }

    /**
     * Writes a new key and claims its place: the successor of {@code predecessor} when that is not
     * null (which its claim does not count, and whose allowance it spends). Empty when the account
     * is at its limit.
     */
    private Mono<CreatedKey> mintAndClaim(
            String accountId, String keyId, NewKey spec, @Nullable StoredKey predecessor) {
        KeyTags.Minted minted = tags.mint(random, spec.mode());
        String secret = minted.key();
        String hash = ApiKeys.hash(secret);
        Instant now = now();
        StoredKey key = StoredKey.minted(
                keyId,
                accountId,
                spec.name(),
                spec.scopes(),
                now,
                minted.secretId(),
                spec.mode(),
                spec.expiresAt(),
                predecessor == null ? null : predecessor.rateLimitId(),
                predecessor == null ? null : predecessor.id());
        String keyIdIndex = RedisSchema.keyIdAccount(keyId);
        String recordKey = RedisSchema.keyRecord(hash);
        String secretKeys = RedisSchema.secretKeys(minted.secretId());
        String index = RedisSchema.accountKeys(accountId);
        String ends =
                spec.expiresAt() == null ? "0" : Long.toString(spec.expiresAt().toEpochMilli());
        // The claim, made idempotent: a place already holding this key's id (fresh and random, so
        // no other call ever writes it) is this call's own claim, made by an attempt whose reply was lost.
        Mono<Long> claim = redis.<String, String>opsForHash()
                .get(index, key.id())
                .map(claimedHash -> 1L)
                .switchIfEmpty(Mono.defer(() -> RedisScripts.eval(
                        redis,
                        CLAIM,
                        List.of(index, RedisSchema.accountKeyInfo(accountId)),
                        List.of(
                                key.id(),
                                hash,
                                Integer.toString(maxKeysPerAccount),
                                spec.mode().wireName(),
                                ends,
                                Long.toString(now.toEpochMilli()),
                                predecessor == null ? "" : predecessor.id()))));
        return prune(accountId)
                .then(retried(redis.opsForHash().putAll(recordKey, KeyRecords.encode(key))))
                .then(expireWithRetention(recordKey, spec.expiresAt()))
                .then(retried(redis.opsForSet().add(secretKeys, hash)))
                .then(retried(redis.opsForValue().set(keyIdIndex, accountId)))
                .then(expireWithRetention(keyIdIndex, spec.expiresAt()))
                .then(retried(claim))
                .flatMap(claimed -> claimed == 1L
                        ? announceKey(hash).thenReturn(new CreatedKey(key, secret))
                        : forgetUnclaimed(recordKey, secretKeys, keyIdIndex).then(Mono.empty()));
    }

    /** Takes back what a key that got no place (or lost its roll) wrote before its claim. */
    private Mono<Void> forgetUnclaimed(String recordKey, String secretKeys, String keyIdIndex) {
        String hash = Objects.requireNonNull(RedisSchema.keyHashOfRecord(recordKey));
        return retried(redis.delete(recordKey))
                .then(retried(redis.opsForSet().remove(secretKeys, hash)))
                .then(retried(redis.delete(keyIdIndex)))
                .then();
    }

    /** Has Redis delete {@code name} once the key's end lies the retention in the past; nothing for a key without an end. */
    private Mono<Void> expireWithRetention(String name, @Nullable Instant expiresAt) {
        return expiresAt == null
                ? Mono.empty()
                : retried(redis.expireAt(name, expiresAt.plus(expiredRetention)))
                        .then();
    }

    /** Why a roll was refused. */
    enum RollRefusal {
        NOT_FOUND,
        ALREADY_ROLLED,
        EXPIRED,
        UNUSABLE,
        KEY_LIMIT
    }

    /** A roll's outcome: the successor and the predecessor's new end, or why there is none. */
    record Rolled(
            @Nullable CreatedKey successor,
            @Nullable Instant previousEnd,
            @Nullable RollRefusal refusal) {}

    /**
     * Rolls the key {@code keyId}: a successor with the same name, scopes and mode (ending at
     * {@code successorEnd}, null: never), spending the same rate-limit allowance, and the key's own
     * end brought to the earlier of its end and now + {@code grace}: a roll never extends a key.
     *
     * <p>In this order: the successor is written and claims its place (the key it replaces is not
     * counted: rolling works at the limit), then the key is marked as rolled to it, by a script that
     * refuses when another roll won (only one successor per key); a lost race takes the successor
     * back. Then the key's end is written in the index (so it stops counting when it ends) and both
     * are announced.
     */
    Mono<Rolled> roll(
            Changes.Permit permit,
            String accountId,
            String keyId,
            String successorId,
            Duration grace,
            @Nullable Instant successorEnd) {
        Objects.requireNonNull(permit);
        String index = RedisSchema.accountKeys(accountId);
        return retried(redis.<String, String>opsForHash().get(index, keyId))
                .flatMap(hash -> retried(redis.<String, String>opsForHash()
                                .entries(RedisSchema.keyRecord(hash))
                                .collectMap(Map.Entry::getKey, Map.Entry::getValue))
                        .flatMap(fields -> fields.isEmpty()
                                ? Mono.just(refused(RollRefusal.NOT_FOUND))
                                : KeyRecords.decode(fields)
                                        .map(old ->
                                                rollExisting(accountId, hash, old, successorId, grace, successorEnd))
                                        .orElseGet(() -> Mono.just(refused(RollRefusal.UNUSABLE)))))
                .defaultIfEmpty(refused(RollRefusal.NOT_FOUND));
    }

    private Mono<Rolled> rollExisting(
            String accountId,
            String hash,
            StoredKey old,
            String successorId,
            Duration grace,
            @Nullable Instant successorEnd) {
        Instant now = now();
        if (old.rolledTo() != null) {
            return Mono.just(refused(RollRefusal.ALREADY_ROLLED));
        }
        if (old.expiredAt(now)) {
            return Mono.just(refused(RollRefusal.EXPIRED));
        }
        Instant graceEnd = now.plus(grace);
        Instant previousEnd =
                old.expiresAt() != null && old.expiresAt().isBefore(graceEnd) ? old.expiresAt() : graceEnd;
        String recordKey = RedisSchema.keyRecord(hash);
        NewKey spec = new NewKey(old.name() == null ? old.id() : old.name(), old.scopes(), old.mode(), successorEnd);
        return mintAndClaim(accountId, successorId, spec, old)
                .flatMap(successor -> RedisScripts.eval(
                                redis,
                                MARK_ROLLED,
                                List.of(recordKey),
                                List.of(
                                        old.id(),
                                        successorId,
                                        Long.toString(previousEnd.toEpochMilli()),
                                        Long.toString(previousEnd
                                                .plus(expiredRetention)
                                                .toEpochMilli())))
                        .transform(RedisRetry::retried)
                        .flatMap(marked -> marked == 1L
                                ? retried(redis.opsForHash()
                                                .put(
                                                        RedisSchema.accountKeyInfo(accountId),
                                                        old.id(),
                                                        old.mode().wireName() + " " + previousEnd.toEpochMilli()
                                                                + " rolled"))
                                        .then(expireWithRetention(RedisSchema.keyIdAccount(old.id()), previousEnd))
                                        .then(announceKey(hash))
                                        .thenReturn(new Rolled(successor, previousEnd, null))
                                : unclaim(accountId, successor)
                                        .thenReturn(refused(
                                                marked == 0L ? RollRefusal.ALREADY_ROLLED : RollRefusal.NOT_FOUND))))
                .defaultIfEmpty(refused(RollRefusal.KEY_LIMIT));
    }

    /** Takes back a successor that lost its roll: its place, then what it wrote before its claim. */
    private Mono<Void> unclaim(String accountId, CreatedKey successor) {
        StoredKey key = successor.key();
        String hash = ApiKeys.hash(successor.secret());
        return retried(redis.opsForHash().remove(RedisSchema.accountKeys(accountId), key.id()))
                .then(retried(redis.opsForHash().remove(RedisSchema.accountKeyInfo(accountId), key.id())))
                .then(forgetUnclaimed(
                        RedisSchema.keyRecord(hash),
                        RedisSchema.secretKeys(Objects.requireNonNull(key.keySecret())),
                        RedisSchema.keyIdAccount(key.id())))
                .then(announceKey(hash));
    }

    private static Rolled refused(RollRefusal refusal) {
        return new Rolled(null, null, refusal);
    }

    /**
     * Deletes the account's keys that ended more than the retention ago: out of its index (one
     * script), then their records (Redis may have deleted them already), their secret's set (every
     * configured secret's and the untagged set: the record that named it may be gone) and their
     * key-id entries. Upkeep of what no one may use any more: no audit entry.
     */
    Mono<Void> prune(String accountId) {
        return RedisScripts.eval(
                        redis,
                        PRUNE,
                        List.of(RedisSchema.accountKeys(accountId), RedisSchema.accountKeyInfo(accountId)),
                        List.of(Long.toString(now().toEpochMilli()), Long.toString(expiredRetention.toMillis())))
                .transform(RedisRetry::retried)
                .flatMapMany(pruned -> {
                    String[] words =
                            pruned.isBlank() ? new String[0] : pruned.trim().split(" ");
                    return Flux.range(0, words.length / 2).map(i -> List.of(words[2 * i], words[2 * i + 1]));
                })
                .concatMap(pair -> {
                    String hash = pair.get(1);
                    List<String> holders = new ArrayList<>();
                    tags.secretIds().forEach(id -> holders.add(RedisSchema.secretKeys(id)));
                    holders.add(RedisSchema.UNTAGGED_KEYS);
                    return retried(redis.delete(RedisSchema.keyRecord(hash), RedisSchema.keyIdAccount(pair.get(0))))
                            .thenMany(Flux.fromIterable(holders)
                                    .concatMap(
                                            holder -> retried(redis.opsForSet().remove(holder, hash))))
                            .then();
                })
                .then();
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
     * The account's keys, active and expired (until the retention after their end), oldest first;
     * never a secret or a hash. Each record is read through {@link KeyRecords}, as the request path
     * reads it: a record the request path would refuse is listed by its id with
     * {@code "usable": false} and no scopes (it grants nothing, yet holds one of the account's
     * places until it is revoked). Keys past the retention are pruned first.
     */
    Flux<Map<String, Object>> list(String accountId) {
        Instant now = now();
        return prune(accountId)
                .thenMany(redis.<String, String>opsForHash().entries(RedisSchema.accountKeys(accountId)))
                .concatMap(entry -> redis.<String, String>opsForHash()
                        .entries(RedisSchema.keyRecord(entry.getValue()))
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                        .filter(fields -> !fields.isEmpty()) // revoked a moment ago: the index entry goes next
                        .map(fields -> KeyRecords.decode(fields)
                                .map(key -> Listed.of(key, now))
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
                                .then(retried(redis.opsForHash().remove(RedisSchema.accountKeyInfo(accountId), keyId)))
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
                                    .map(key -> Listed.of(key, now()))
                                    .orElseGet(() -> Listed.unusable(keyId))
                                    .view());
                            return view;
                        }));
    }

    /** The account's workspaces, sorted. */
    Flux<String> workspaces(String accountId) {
        return redis.opsForSet()
                .members(RedisSchema.accountWorkspaces(accountId))
                .sort();
    }

    /**
     * The id of the key whose hash this is, when its record exists ({@code account_id} and
     * {@code id} fields); empty otherwise. The console's "paste a key" looks a key up this way.
     */
    Mono<Map<String, String>> idOfHash(String hash) {
        return redis.<String, String>opsForHash()
                .multiGet(RedisSchema.keyRecord(hash), List.of(RedisSchema.ID, RedisSchema.ACCOUNT_ID))
                .filter(values -> values.size() == 2 && values.get(0) != null && values.get(1) != null)
                .map(values -> Map.of("id", values.get(0), "account_id", values.get(1)));
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

        static Listed of(StoredKey key, Instant now) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", key.id());
            view.put("name", key.name());
            view.put("mode", key.mode().wireName());
            view.put("status", key.expiredAt(now) ? "expired" : "active");
            view.put("scopes", key.scopes().stream().map(Scope::wireName).toList());
            view.put("created_at", iso(key.createdAt()));
            view.put("expires_at", iso(key.expiresAt()));
            view.put("rolled_from", key.rolledFrom());
            view.put("rolled_to", key.rolledTo());
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
            view.put("mode", null);
            view.put("status", "unusable");
            view.put("scopes", List.of());
            view.put("created_at", null);
            view.put("expires_at", null);
            view.put("rolled_from", null);
            view.put("rolled_to", null);
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
