package ai.powerpost.gateway.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;

/**
 * Runs the gateway's Lua scripts with {@code EVAL}, through the template's connection (and so from
 * its dispatch threads, {@link RedisDispatchTemplate}). Not with Spring Data Redis's script
 * executor: that sends {@code EVALSHA} and, on a {@code NOSCRIPT} answer (every script after a
 * Redis restart or failover, on a replica just promoted), sends {@code EVAL} from inside the failed
 * command's completion, on the driver's event loop, re-entering the driver there. The scripts are a
 * few hundred bytes: sending them whole each time is cheaper than that path, and a script is never
 * missing.
 */
public final class RedisScripts {

    /**
     * Counters shared by the replicas, one hash per counter, one field per replica: KEYS are the
     * counters; ARGV[1] is the replica's id, then for each counter the replica's count and the
     * counter's expiry (epoch ms). A replica's field only grows. Returns the other replicas' totals,
     * comma-separated, in the order of KEYS. All KEYS of one call share a hash slot.
     *
     * <p>Two commands per counter: one {@code HGETALL} (this replica's count and everyone's), one
     * {@code HSET} when the count grew; the expiry is set when the replica's field is created (the
     * same time for every replica's field), not on every push. With many keys each used now and
     * then, every request is pushed on its own, so this is per request: it was four commands
     * ({@code HGET}, {@code HSET}, {@code PEXPIREAT}, {@code HVALS}).
     */
    public static final RedisScript<String> COUNTS = RedisScript.of("""
            local me = ARGV[1]
            local others = {}
            for i = 1, #KEYS do
              local count = tonumber(ARGV[2 * i])
              local all = redis.call('HGETALL', KEYS[i])
              local mine, total = 0, 0
              for j = 1, #all, 2 do
                local value = tonumber(all[j + 1]) or 0
                total = total + value
                if all[j] == me then mine = value end
              end
              if count > mine then
                if redis.call('HSET', KEYS[i], me, count) == 1 then
                  redis.call('PEXPIREAT', KEYS[i], ARGV[2 * i + 1])
                end
                total = total + count - mine
                mine = count
              end
              others[i] = total - mine
            end
            return table.concat(others, ',')
            """, String.class);

    private RedisScripts() {}

    /** The script's single result: a Long for a script declared with Long, a String for String. */
    public static <T> Mono<T> eval(
            ReactiveRedisTemplate<String, String> redis, RedisScript<T> script, List<String> keys, List<String> args) {
        Class<T> type = script.getResultType();
        ByteBuffer body = utf8(script.getScriptAsString());
        ByteBuffer[] keysAndArgs = new ByteBuffer[keys.size() + args.size()];
        int i = 0;
        for (String key : keys) {
            keysAndArgs[i++] = utf8(key);
        }
        for (String arg : args) {
            keysAndArgs[i++] = utf8(arg);
        }
        ReturnType returns = ReturnType.fromJavaType(type);
        return redis.execute(connection ->
                        connection.scriptingCommands().<Object>eval(body, returns, keys.size(), keysAndArgs))
                .next()
                .map(reply -> convert(reply, type));
    }

    private static <T> T convert(Object reply, Class<T> type) {
        if (type.isInstance(reply)) {
            return type.cast(reply);
        }
        if (type == String.class && reply instanceof ByteBuffer buffer) {
            return type.cast(StandardCharsets.UTF_8.decode(buffer.duplicate()).toString());
        }
        throw new IllegalStateException(
                "script answered " + reply.getClass().getSimpleName() + ", expected " + type.getSimpleName());
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
