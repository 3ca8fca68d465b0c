package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The counter names: one Redis Cluster slot per shard, whatever the key, class or window. */
class RateLimitKeysTest {

    @Test
    void allCountersOfAShardShareOneClusterSlot() {
        Map<Integer, Integer> slotOfShard = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String keyId =
                    "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
            int shard = RateLimitKeys.shard(keyId, 16);
            for (String className : new String[] {"default", "generate", "publish"}) {
                int slot = SlotHash.getSlot(RateLimitKeys.counter(shard, className, 1_700_000_040_000L + i, keyId));
                assertThat(slotOfShard.computeIfAbsent(shard, s -> slot)).isEqualTo(slot);
            }
        }
        assertThat(slotOfShard).hasSize(16);
        Set<Integer> distinctSlots = new HashSet<>(slotOfShard.values());
        assertThat(distinctSlots)
                .as("shards spread over slots, so over cluster nodes")
                .hasSize(16);
    }

    @Test
    void theShardIsAPureFunctionOfTheKeyId() {
        assertThat(RateLimitKeys.shard("key_abc", 16))
                .isEqualTo(RateLimitKeys.shard("key_abc", 16))
                .isBetween(0, 15);
        assertThat(RateLimitKeys.counter(3, "generate", 1_700_000_040_000L, "key_abc"))
                .isEqualTo("ppgw:rl:{rl:3}:generate:1700000040000:key_abc");
    }
}
