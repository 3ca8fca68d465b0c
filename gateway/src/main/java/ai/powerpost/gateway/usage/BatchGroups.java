package ai.powerpost.gateway.usage;

import io.lettuce.core.cluster.SlotHash;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Which script call a per-key write joins, so that one flush costs one call per group, not one per
 * key. The per-key records (key records {@code ppgw:key:{<hash>}}, usage {@code ppgw:usage:{<id>}:…})
 * each carry their own hash tag, as the documented contract names them; unlike the rate-limit
 * counters they cannot share a shard's tag. So:
 *
 * <ul>
 *   <li>against one Redis (standalone, sentinel) a script may touch any keys: a group is a shard,
 *       the record's cluster slot modulo {@link #SHARDS}, and a flush makes one call per shard
 *       touched (split only past {@code max-batch} keys);
 *   <li>against a Redis Cluster a script may only touch keys of one slot: a group is the slot
 *       itself, so every call stays in one slot and on the node that owns it. A flush then makes at
 *       most one call per slot touched (16,384 at most, whatever the number of keys); fewer keys per
 *       call, still far fewer calls than keys once keys outnumber slots.
 * </ul>
 */
final class BatchGroups {

    /** Shards of one Redis: enough calls to spread a flush over the dispatch threads, few enough to be cheap. */
    static final int SHARDS = 16;

    private final boolean cluster;

    BatchGroups(boolean cluster) {
        this.cluster = cluster;
    }

    static BatchGroups of(ReactiveStringRedisTemplate redis) {
        ReactiveRedisConnectionFactory factory = redis.getConnectionFactory();
        return new BatchGroups(factory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware());
    }

    boolean cluster() {
        return cluster;
    }

    /** The group of a write to {@code redisKey}: its slot in a cluster, else its shard. */
    int of(String redisKey) {
        int slot = SlotHash.getSlot(redisKey);
        return cluster ? slot : slot % SHARDS;
    }
}
