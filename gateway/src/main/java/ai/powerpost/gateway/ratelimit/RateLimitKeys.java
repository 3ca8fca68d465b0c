package ai.powerpost.gateway.ratelimit;

/**
 * Redis names of the shared counters. A counter is a HASH named after the key, the class and
 * the window, holding one field per replica (that replica's count); its hash tag is the shard
 * alone, {@code {rl:<shard>}}, so every counter one sync script touches sits in the same Redis
 * Cluster slot. Keys are known by their public id here, never by their secret or its hash.
 */
final class RateLimitKeys {

    static final String PREFIX = "ppgw:rl:";
    /** Counters outlive their window by this much, for replicas whose clocks run a little behind. */
    static final long EXPIRY_GRACE_MILLIS = 60_000;

    private RateLimitKeys() {}

    /** The shard of a key: a pure function of its id, the same on every replica. */
    static int shard(String keyId, int shards) {
        return Math.floorMod(keyId.hashCode(), shards);
    }

    /** HASH {@code ppgw:rl:{rl:<shard>}:<class>:<window start, epoch ms>:<key id>}: replica id to count. */
    static String counter(int shard, String className, long windowStartMillis, String keyId) {
        return PREFIX + "{rl:" + shard + "}:" + className + ":" + windowStartMillis + ":" + keyId;
    }

    /** When the counter of the window ending at {@code windowEndMillis} may go, epoch milliseconds. */
    static long expireAtMillis(long windowEndMillis) {
        return windowEndMillis + EXPIRY_GRACE_MILLIS;
    }
}
