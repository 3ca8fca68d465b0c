package ai.powerpost.gateway.redis;

import org.jspecify.annotations.Nullable;

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
    /** Message prefix: a key without a tag was added to {@link #UNTAGGED_KEYS}; every replica adds it to its filter. */
    public static final String UNTAGGED_MESSAGE = "legacy ";

    /** SET: the hashes of every key without a tag (legacy and other records without {@code key_secret}). */
    public static final String UNTAGGED_KEYS = "ppgw:untagged:{keys}";
    /** STRING: present once the records that predate {@link #UNTAGGED_KEYS} were added to it (the time, ISO-8601). */
    public static final String UNTAGGED_KEYS_MIGRATED = "ppgw:untagged:{keys}:migrated";
    /** SCAN pattern of every key record. */
    public static final String KEY_RECORD_PATTERN = "ppgw:key:{*}";

    // Fields of the key record hash.
    public static final String ID = "id";
    public static final String ACCOUNT_ID = "account_id";
    public static final String NAME = "name";
    public static final String SCOPES = "scopes";
    /** Legacy records carry a type ({@code read_write} or {@code read_draft}) instead of scopes. */
    public static final String TYPE = "type";
    /** The id of the secret whose tag the key carries; absent on untagged records. */
    public static final String KEY_SECRET = "key_secret";

    /** {@code live} or {@code test}; absent on records of before test keys: live. */
    public static final String MODE = "mode";
    /** Epoch ms from which the key (or operator token) is refused; absent: never. Decides access, so read strictly. */
    public static final String EXPIRES_AT = "expires_at";
    /** The key id whose rate-limit allowance the key spends; absent: its own. */
    public static final String LIMIT_ID = "limit_id";
    /** The id of the key this one succeeded in a roll. */
    public static final String ROLLED_FROM = "rolled_from";
    /** The id of the key that succeeded this one in a roll; present once it was rolled. */
    public static final String ROLLED_TO = "rolled_to";

    public static final String CREATED_AT = "created_at";
    public static final String LAST_USED_AT = "last_used_at";
    /** Prefix of the per-scope last-use fields, e.g. {@code su:posts:read}. */
    public static final String SCOPE_USED_PREFIX = "su:";

    private RedisSchema() {}

    /** HASH: the record of the key whose SHA-256 (hex) is {@code keyHash}. */
    public static String keyRecord(String keyHash) {
        return "ppgw:key:{" + keyHash + "}";
    }

    /** The key hash a key record's name holds; null when {@code name} is not a key record's name. */
    public static @Nullable String keyHashOfRecord(String name) {
        String prefix = "ppgw:key:{";
        return name.startsWith(prefix) && name.endsWith("}") && name.length() == prefix.length() + 65
                ? name.substring(prefix.length(), name.length() - 1)
                : null;
    }

    /** SET: the hashes of the live keys whose tag was made with the secret {@code secretId}. */
    public static String secretKeys(String secretId) {
        return "ppgw:secret:{" + secretId + "}:keys";
    }

    /** HASH: key id to key hash, for every active key of the account. */
    public static String accountKeys(String accountId) {
        return "ppgw:acct:{" + accountId + "}:keys";
    }

    /**
     * HASH: key id to {@code "<mode> <end>"} ({@code live}/{@code test}, the end in epoch ms, 0 for
     * none) for the keys of {@link #accountKeys}, beside it in its slot, so that the claim of a
     * place counts each mode's unexpired keys in one script. A key without an entry is live and
     * never ends (keys of before).
     */
    public static String accountKeyInfo(String accountId) {
        return "ppgw:acct:{" + accountId + "}:keyinfo";
    }

    /** SET: the workspace ids the account owns. */
    public static String accountWorkspaces(String accountId) {
        return "ppgw:acct:{" + accountId + "}:workspaces";
    }

    /** STRING: the id of the account that holds the key {@code keyId} (for a look-up by key id alone). */
    public static String keyIdAccount(String keyId) {
        return "ppgw:keyid:{" + keyId + "}";
    }

    /** STRING: present (the time, ISO-8601) once the keys that predate {@link #keyIdAccount} were indexed. */
    public static final String KEY_IDS_INDEXED = "ppgw:keyid:{keyids}:indexed";

    /** SCAN pattern of every account's key index. */
    public static final String ACCOUNT_KEYS_PATTERN = "ppgw:acct:{*}:keys";

    /** The account id an account's key index name holds; null when {@code name} is not one. */
    public static @Nullable String accountOfKeys(String name) {
        String prefix = "ppgw:acct:{";
        String suffix = "}:keys";
        return name.startsWith(prefix) && name.endsWith(suffix) && name.length() > prefix.length() + suffix.length()
                ? name.substring(prefix.length(), name.length() - suffix.length())
                : null;
    }

    /** HASH: the record of the operator whose token's SHA-256 (hex) is {@code tokenHash}. */
    public static String operatorRecord(String tokenHash) {
        return "ppgw:op:{" + tokenHash + "}";
    }

    /** HASH: operator id to token hash, for every operator (admin.operators). */
    public static final String OPERATORS = "ppgw:operators:{operators}";

    // Fields of the operator record hash (besides ID, NAME, CREATED_AT, LAST_USED_AT, EXPIRES_AT).
    public static final String ROLE = "role";
    public static final String CREATED_BY = "created_by";

    /** STREAM: the audit trail of the management API, one entry per call that changes or tries to change anything. */
    public static final String AUDIT = "ppgw:audit:{audit}";

    /**
     * STRING: the stream entry id an append with this nonce made (kept a minute), so that a retried
     * append after a lost reply makes no second entry.
     */
    public static String auditNonce(String nonce) {
        return "ppgw:audit:{audit}:nonce:" + nonce;
    }

    /** STRING: the outcome of the change whose intent is the audit entry {@code entryId} (kept as long as the entry). */
    public static String auditOutcome(String entryId) {
        return "ppgw:audit:{audit}:outcome:" + entryId;
    }

    /**
     * Failed key attempts of one client address in one window, one field per replica
     * (access.BruteForceGuard): {@code ppgw:bf:{bf:<shard>}:<window start ms>:<address hash>}; the
     * shard is the hash tag, so one sync call per shard stays in one cluster slot.
     */
    public static String bruteForceCounter(int shard, long windowStart, String addressHash) {
        return "ppgw:bf:{bf:" + shard + "}:" + windowStart + ":" + addressHash;
    }
}
