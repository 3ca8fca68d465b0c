package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.redis.RedisSchema;
import io.lettuce.core.cluster.SlotHash;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** Which script call a write joins: a shard against one Redis, the slot itself against a cluster. */
class BatchGroupsTest {

    private static final String RECORD = RedisSchema.keyRecord("ab".repeat(32));

    @Test
    void againstOneRedisAGroupIsOneOfSixteenShards() {
        // never connected: the factory's configuration alone decides
        BatchGroups groups = BatchGroups.of(new ReactiveStringRedisTemplate(
                new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379))));
        assertThat(groups.cluster()).isFalse();
        assertThat(groups.of(RECORD)).isEqualTo(SlotHash.getSlot(RECORD) % BatchGroups.SHARDS);
    }

    @Test
    void againstAClusterAGroupIsTheSlotSoEveryCallStaysInOneSlot() {
        BatchGroups groups = BatchGroups.of(new ReactiveStringRedisTemplate(
                new LettuceConnectionFactory(new RedisClusterConfiguration(List.of("127.0.0.1:7000")))));
        assertThat(groups.cluster()).isTrue();
        assertThat(groups.of(RECORD)).isEqualTo(SlotHash.getSlot(RECORD));
        // a key's usage names share its id's slot, so one key's entry never spans two groups
        assertThat(groups.of(UsageKeys.meta("key_1"))).isEqualTo(groups.of(UsageKeys.hour("key_1", "2026-12-08T05")));
    }
}
