package ai.powerpost.gateway.redis;

/**
 * Key names, field names and the invalidation channel of the Redis data model: the contract with
 * whatever else reads PowerPost's keys, written down in {@code docs/redis-schema.md}. Every name
 * carries the {@code ppgw:} prefix and a {@code {hash tag}}, so that the keys one script touches
 * always share a Redis Cluster slot. No name ever holds an API key: keys are known by their
 * SHA-256 only.
 */
public final class RedisSchema {

    /** The channel on which writers announce changes; every replica evicts what a message names. */
    public static final String INVALIDATION_CHANNEL = "ppgw:invalidations";
    /** Message prefix: the key record of this hash changed (created, revoked). */
    public static final String KEY_MESSAGE = "key ";
    /** Message prefix: the workspaces of this account changed. */
    public static final String WORKSPACES_MESSAGE = "ws ";

    // Fields of the key record hash.
    public static final String ID = "id";
    public static final String ACCOUNT_ID = "account_id";
    public static final String NAME = "name";
    public static final String SCOPES = "scopes";
    /** Legacy records carry a type ({@code read_write} or {@code read_draft}) instead of scopes. */
    public static final String TYPE = "type";

    public static final String CREATED_AT = "created_at";
    public static final String LAST_USED_AT = "last_used_at";
    /** Prefix of the per-scope last-use fields, e.g. {@code su:posts:read}. */
    public static final String SCOPE_USED_PREFIX = "su:";

    private RedisSchema() {}

    /** HASH: the record of the key whose SHA-256 (hex) is {@code keyHash}. */
    public static String keyRecord(String keyHash) {
        return "ppgw:key:{" + keyHash + "}";
    }

    /** HASH: key id to key hash, for every active key of the account. */
    public static String accountKeys(String accountId) {
        return "ppgw:acct:{" + accountId + "}:keys";
    }

    /** SET: the workspace ids the account owns. */
    public static String accountWorkspaces(String accountId) {
        return "ppgw:acct:{" + accountId + "}:workspaces";
    }
}
