package ai.powerpost.gateway.support;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import io.lettuce.core.api.sync.RedisCommands;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Test keys ({@code pp_test_sk_}) written straight into the suite's Redis, as the key management
 * API writes a created key (docs/redis-schema.md, "create key"): minted and tagged with the
 * gateway's own {@link KeyTags}, the record with {@code mode test}, its hash in its secret's set,
 * the key-id index, its place in the account's index, then the announcement. For tests of what a
 * test key may reach, independent of how the management API creates one.
 */
public final class TestKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {}

    /** A test key of {@code accountId} with {@code scopes}, tagged by {@code tags}' minting secret. */
    public static GatewayTestBase.CreatedKey write(KeyTags tags, String accountId, Set<Scope> scopes) {
        KeyTags.Minted minted = tags.mint(RANDOM, KeyMode.TEST);
        String id = "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        String hash = ApiKeys.hash(minted.key());
        StoredKey record = StoredKey.minted(
                id, accountId, "test key", scopes, Instant.now(), minted.secretId(), KeyMode.TEST, null, null, null);
        RedisCommands<String, String> redis = RedisSupport.redis().commands();
        redis.hset(RedisSchema.keyRecord(hash), KeyRecords.encode(record));
        redis.sadd(RedisSchema.secretKeys(minted.secretId()), hash);
        redis.set(RedisSchema.keyIdAccount(id), accountId);
        redis.hset(RedisSchema.accountKeys(accountId), id, hash);
        redis.publish(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.KEY_MESSAGE + hash);
        return new GatewayTestBase.CreatedKey(id, minted.key(), accountId);
    }
}
