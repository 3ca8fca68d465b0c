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
        String[] args = new String[fieldTimePairs.length + 1];
        args[0] = Integer.toString(fieldTimePairs.length / 2);
        System.arraycopy(fieldTimePairs, 0, args, 1, fieldTimePairs.length);
        return RedisSupport.redis().commands().evalsha(sha, ScriptOutputType.VALUE, new String[] {key}, args);
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

    @Test
    void oneCallWritesManyKeysAndAnswersEachOnItsLine() {
        String a = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        String gone = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        String legacy = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        RedisSupport.redis().commands().hset(a, Map.of("id", "key_1", "rolled_to", "key_9", "last_used_at", "120000"));
        RedisSupport.redis().commands().hset(legacy, Map.of("type", "read_write"));
        String reply = RedisSupport.redis()
                .commands()
                .evalsha(
                        sha,
                        ScriptOutputType.VALUE,
                        new String[] {a, gone, legacy},
                        "2",
                        "last_used_at",
                        "60000",
                        "su:posts:read",
                        "60000",
                        "1",
                        "last_used_at",
                        "60000",
                        "1",
                        "last_used_at",
                        "180000");
        assertThat(reply).isEqualTo("key_9\n-\n");
        assertThat(RedisSupport.redis().commands().hmget(a, "last_used_at", "su:posts:read"))
                .extracting(kv -> kv.getValue())
                .as("newest wins per field")
                .isEqualTo(List.of("120000", "60000"));
        assertThat(RedisSupport.redis().commands().exists(gone)).isZero();
        assertThat(RedisSupport.redis().commands().hget(legacy, "last_used_at"))
                .as("a record without an id is still a record")
                .isEqualTo("180000");
    }

    @Test
    void aNameThatHoldsNoHashIsAnsweredAsRefusedAndTheOtherKeysOfTheCallAreWritten() {
        String broken = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        String fine = "ppgw:key:{" + java.util.UUID.randomUUID() + "}";
        RedisSupport.redis().commands().set(broken, "not a record");
        RedisSupport.redis().commands().hset(fine, Map.of("id", "key_1"));
        String reply = RedisSupport.redis()
                .commands()
                .evalsha(
                        sha,
                        ScriptOutputType.VALUE,
                        new String[] {broken, fine},
                        "1",
                        "last_used_at",
                        "60000",
                        "1",
                        "last_used_at",
                        "60000");
        assertThat(reply).isEqualTo("!\n");
        assertThat(RedisSupport.redis().commands().hget(fine, "last_used_at")).isEqualTo("60000");
        assertThat(RedisSupport.redis().commands().get(broken)).isEqualTo("not a record");
    }
}
