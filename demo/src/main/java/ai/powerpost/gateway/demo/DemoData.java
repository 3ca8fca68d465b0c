package ai.powerpost.gateway.demo;

import ai.powerpost.gateway.admin.OperatorTokens;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.admin.operators.Operator;
import ai.powerpost.gateway.admin.operators.OperatorRecords;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import io.lettuce.core.api.sync.RedisCommands;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's account, its workspace, its four fixed keys (three live, one test) and its three fixed operators (one per role), written into the demo's own Redis
 * before its gateway starts.
 *
 * <p>The gateway only ever stores keys it generated itself, so the fixed keys are written the way
 * any other writer of PowerPost's keys would write them: as {@code docs/redis-schema.md} defines the
 * records, with the gateway's own names ({@link RedisSchema}), hash ({@link ApiKeys#hash}) and
 * scope encoding ({@link Scope#join}). Only the SHA-256 of each key reaches Redis. The fixed keys
 * carry no tag (they were not minted by the gateway), so, as the schema asks of any writer of an
 * untagged key, each hash goes into the untagged-key set and is announced; each key's id goes into
 * the key-id index. The operators are written likewise (only the hash of each token reaches Redis).
 * Keys created through the
 * demo's key management API are tagged with {@link #KEY_SECRET}.
 */
final class DemoData {

    static final String ACCOUNT = "acct_demo";
    static final String WORKSPACE = "ws_demo";
    /** The gateway's admin token in the demo. */
    static final String ADMIN_TOKEN = "demo-admin-token";
    /** The id of the demo's key-tag secret. */
    static final String KEY_SECRET_ID = "demo";
    /** The demo's key-tag secret (32 bytes, base64): it only ever tags keys of the demo. */
    static final String KEY_SECRET = "ZGVtby1rZXktdGFnLXNlY3JldC1ub3QtZm9yLXByb2Q=";

    /**
     * A fixed key, so the README's curl lines can be pasted; it only ever opens the demo. A test key
     * ({@link KeyMode#TEST}) reaches only the mock backend's sandbox.
     */
    record DemoKey(String label, String name, Set<Scope> scopes, String secret, KeyMode mode) {

        DemoKey(String label, String name, Set<Scope> scopes, String secret) {
            this(label, name, scopes, secret, KeyMode.LIVE);
        }
    }

    static final List<DemoKey> KEYS = List.of(
            new DemoKey(
                    "full access", "demo full access", Scope.FULL_ACCESS, "pp_live_sk_demoFullAccess0000000000000001"),
            new DemoKey("draft only", "demo draft only", Scope.DRAFT_ONLY, "pp_live_sk_demoDraftOnly00000000000000001"),
            new DemoKey("read only", "demo read only", Scope.READ_ONLY, "pp_live_sk_demoReadOnly000000000000000001"),
            new DemoKey(
                    "test (sandbox)",
                    "demo test",
                    Scope.FULL_ACCESS,
                    "pp_test_sk_demoTestKey0000000000000000001",
                    KeyMode.TEST));

    /** A fixed operator token, one per role, so the README's curl lines can be pasted; it only ever opens the demo. */
    record DemoOperator(String label, String id, String name, Role role, String token) {}

    static final List<DemoOperator> OPERATORS = List.of(
            new DemoOperator(
                    "viewer",
                    "op_demoViewer",
                    "demo viewer",
                    Role.VIEWER,
                    "ppgw_op_demoViewer000000000000000000000000000000001"),
            new DemoOperator(
                    "operator",
                    "op_demoOperator",
                    "demo operator",
                    Role.OPERATOR,
                    "ppgw_op_demoOperator0000000000000000000000000000001"),
            new DemoOperator(
                    "admin",
                    "op_demoAdmin",
                    "demo admin",
                    Role.ADMIN,
                    "ppgw_op_demoAdmin0000000000000000000000000000000001"));

    /** Length of the random part of a key id, as the gateway's key management API makes them. */
    private static final int KEY_ID_RANDOM = 20;

    private DemoData() {}

    /** Writes the workspace and the keys (each record, then its place in the account's index). */
    static void write(RedisCommands<String, String> redis, SecureRandom random, Instant now) {
        redis.sadd(RedisSchema.accountWorkspaces(ACCOUNT), WORKSPACE);
        for (DemoKey key : KEYS) {
            String id = "key_" + ApiKeys.randomBase62(random, KEY_ID_RANDOM);
            String hash = ApiKeys.hash(key.secret());
            // the gateway's one codec for the record, as its key management API writes it
            StoredKey record = key.mode() == KeyMode.LIVE
                    ? StoredKey.created(id, ACCOUNT, key.name(), key.scopes(), now)
                    : new StoredKey(
                            id,
                            ACCOUNT,
                            key.name(),
                            key.scopes(),
                            now,
                            null,
                            Map.of(),
                            null,
                            key.mode(),
                            null,
                            null,
                            null,
                            null);
            redis.hset(RedisSchema.keyRecord(hash), KeyRecords.encode(record));
            redis.hset(RedisSchema.accountKeys(ACCOUNT), id, hash);
            redis.set(RedisSchema.keyIdAccount(id), ACCOUNT);
            redis.sadd(RedisSchema.UNTAGGED_KEYS, hash);
            redis.publish(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.UNTAGGED_MESSAGE + hash);
        }
        // one operator of each role: the record under its token's hash, then its place in the index
        for (DemoOperator operator : OPERATORS) {
            String hash = OperatorTokens.hash(operator.token());
            redis.hset(
                    RedisSchema.operatorRecord(hash),
                    OperatorRecords.encode(
                            new Operator(operator.id(), operator.name(), operator.role(), now, null, "demo", null)));
            redis.hset(RedisSchema.OPERATORS, operator.id(), hash);
        }
    }
}
