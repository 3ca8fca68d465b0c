package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyMemoryBenchAccess;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.ratelimit.RateLimitBenchAccess;
import ai.powerpost.gateway.routing.RateLimitClass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * Heap per cached key (docs/key-cache.md, "Memory per key"): fills a real key store (default
 * {@code gateway.keys.*}, over an in-memory reader that decodes records as Redis's reader does)
 * and a real local rate limiter with {@code N} distinct keys the way a request does (hash the
 * presented key, {@code cached}, else {@code lookup}; the account's workspaces; one admission on a
 * limited route), forces full collections and prints the heap they retain, per key.
 *
 * <pre>
 * ./mvnw -B -q -Pbench -DskipTests package
 * java -Xmx1g -XX:+UseG1GC -cp bench/jmh/target/benchmarks.jar ai.powerpost.gateway.bench.KeyMemory [keys]
 * </pre>
 */
public final class KeyMemory {

    private static final int KEYS_PER_ACCOUNT = 5;

    private KeyMemory() {}

    public static void main(String[] args) throws InterruptedException {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Map<String, Integer> indexByHash = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            indexByHash.put(ApiKeys.hash(secret(i)), i);
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RateLimitClass limit = new RateLimitClass("standard", 600, Duration.ofMinutes(1));
        HttpHeaders responseHeaders = new HttpHeaders();

        long empty = usedAfterFullGc();
        ApiKeyStore store = KeyMemoryBenchAccess.store(indexByHash, KEYS_PER_ACCOUNT);
        RateLimitBenchAccess limiter = new RateLimitBenchAccess(meters);
        long built = usedAfterFullGc();
        KeyRecord[] seen = new KeyRecord[1];
        for (int round = 0; round < 2; round++) { // the second round: every key warm, as most requests find it
            for (int i = 0; i < keys; i++) {
                String hash = ApiKeys.hash(secret(i)); // a new string per request, as the request path makes it
                KeyRecord key = store.cached(hash);
                if (key == null) {
                    key = store.lookup(hash).toMono().block();
                }
                store.ownership(key.accountId(), "ws_" + key.accountId() + "_a")
                        .toMono()
                        .block();
                seen[0] = key;
            }
        }
        seen[0] = null;
        long cached = usedAfterFullGc();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < keys; i++) {
                KeyRecord key = store.cached(ApiKeys.hash(secret(i)));
                limiter.acquire(key.rateLimitId(), limit, responseHeaders);
            }
        }
        long filled = usedAfterFullGc();
        System.out.printf(
                "keys: %d (%d per account), heap after full GCs%n"
                        + "key store (keys and accounts' workspaces): %.0f bytes per key%n"
                        + "rate limiter (one class, one window):       %.0f bytes per key%n"
                        + "together:                                   %.0f bytes per key%n"
                        + "(empty store and limiter: %.1f MB)%n",
                keys,
                KEYS_PER_ACCOUNT,
                (double) (cached - built) / keys,
                (double) (filled - cached) / keys,
                (double) (filled - built) / keys,
                (built - empty) / 1e6);
        java.lang.ref.Reference.reachabilityFence(store);
        java.lang.ref.Reference.reachabilityFence(limiter);
        java.lang.ref.Reference.reachabilityFence(indexByHash);
    }

    private static String secret(int i) {
        return ApiKeys.PREFIX + String.format("%032x", (long) i * 0x9E3779B97F4A7C15L & Long.MAX_VALUE);
    }

    private static long usedAfterFullGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
