package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * What the two recorders hold per key between flushes, measured on the heap after a full GC: a
 * busy replica holds a last-used entry and a minute of usage counts for every key in use (the
 * issue-25 target is at most 1 KB per cached key in all; the cache's own share is measured apart).
 */
class UsageHeapTest {

    private static final int KEYS = 50_000;

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Test
    void theRecordersHoldAFewHundredBytesPerKeyInUse() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        UsageProperties properties = new UsageProperties(Duration.ofHours(1), 200_000);
        // never connected: this test never flushes
        ReactiveStringRedisTemplate redis = new ReactiveStringRedisTemplate(new LettuceConnectionFactory());
        List<KeyRecord> keys = new ArrayList<>(KEYS);
        List<String> addresses = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            String id = "key_" + String.format("%028d", i);
            String hash = String.format("%064x", i);
            keys.add(new KeyRecord(hash, id, "acct_" + (i % 1000), Set.of(Scope.ACCOUNT_READ)));
            addresses.add("198.51." + (i % 250) + "." + (i % 200 + 1));
        }
        long before = usedAfterGc();
        LastUsedRecorder lastUsed = new LastUsedRecorder(redis, properties, meters);
        KeyUsageRecorder usage = new KeyUsageRecorder(
                redis,
                properties,
                new UsageStore(redis, meters, Clock.systemUTC()),
                lastUsed,
                meters,
                Clock.systemUTC());
        long now = System.currentTimeMillis();
        for (int use = 0; use < 3; use++) {
            for (int i = 0; i < KEYS; i++) {
                KeyRecord key = keys.get(i);
                lastUsed.record(key.keyHash(), Scope.ACCOUNT_READ, now + use);
                usage.record(key, "account-credits", 200, addresses.get(i), now + use);
            }
        }
        long perKey = (usedAfterGc() - before) / KEYS;
        System.out.printf("usage recorders: %d bytes of heap per key in use (last used and counts)%n", perKey);
        assertThat(lastUsed.trackedKeys()).isEqualTo(KEYS);
        assertThat(usage.trackedKeys()).isEqualTo(KEYS);
        assertThat(perKey).isLessThan(600);
    }
}
