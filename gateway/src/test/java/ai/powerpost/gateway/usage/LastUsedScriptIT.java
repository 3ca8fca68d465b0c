package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.RedisSupport;
import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The last-used script, run on the real Redis server exactly as the recorder runs it. */
class LastUsedScriptIT {

    private final String sha = RedisSupport.redis().commands().scriptLoad(LastUsedRecorder.TOUCH.getScriptAsString());

    private String touch(String key, String... fieldTimePairs) {
        return RedisSupport.redis().commands().evalsha(sha, ScriptOutputType.VALUE, new String[] {key}, fieldTimePairs);
    }

    @Test
    void newerTimesWinAndOlderOnesNeverMoveATimeBackwards() {
        String key = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        RedisSupport.redis().commands().hset(key, Map.of("id", "key_1"));
        touch(key, "last_used_at", "2000", "su:posts:read", "2000");
        touch(key, "last_used_at", "1000", "su:posts:read", "3000");
        assertThat(RedisSupport.redis().commands().hmget(key, "last_used_at", "su:posts:read"))
                .extracting(kv -> kv.getValue())
                .isEqualTo(List.of("2000", "3000"));
    }

    @Test
    void itAnswersTheKeysRollSuccessorForUsagePerKey() {
        String key = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        RedisSupport.redis().commands().hset(key, Map.of("id", "key_1"));
        assertThat(touch(key, "last_used_at", "2000")).isEmpty();
        RedisSupport.redis().commands().hset(key, Map.of("rolled_to", "key_2"));
        assertThat(touch(key, "last_used_at", "3000")).isEqualTo("key_2");
    }

    @Test
    void aRevokedKeysRecordIsNeverRecreated() {
        String key = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        assertThat(touch(key, "last_used_at", "2000")).isEqualTo("-");
        assertThat(RedisSupport.redis().commands().exists(key)).isZero();
    }
}
