package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * For the memory-per-key measurement only (bench/jmh, {@code KeyMemory}): the production
 * {@link CachingKeyStore} at its default settings over a reader that builds every record the way
 * {@link RedisKeyReader} does, from freshly decoded hash fields ({@link KeyRecords#parse}), so the
 * cache holds what it would hold behind Redis, not objects the caller shares.
 */
public final class KeyMemoryBenchAccess {

    /** {@code gateway.keys.*} at its defaults (application.yml). */
    private static final KeyCacheProperties CACHE = new KeyCacheProperties(
            100_000, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(5));

    private static final String[] SCOPES = {
        "account:read content:read images:read videos:read posts:read calendar:read analytics:read",
        "account:read content:read content:generate images:read images:generate videos:read videos:generate"
                + " media:write posts:read posts:write calendar:read calendar:write analytics:read",
        "account:read content:read content:generate images:read images:generate videos:read videos:generate"
                + " media:write posts:read posts:write posts:publish calendar:read calendar:write analytics:read"
    };

    private KeyMemoryBenchAccess() {}

    /**
     * A store whose reader answers key {@code i} (its hash given by {@code hashes}) with id
     * {@code key_<i>} of account {@code acct_<i / keysPerAccount>}, one of three scope sets, and two
     * workspaces for every account.
     */
    public static ApiKeyStore store(Map<String, Integer> indexByHash, int keysPerAccount) {
        KeyReader reader = new KeyReader() {
            @Override
            public Mono<Optional<KeyRecord>> readKey(String keyHash) {
                Integer i = indexByHash.get(keyHash);
                if (i == null) {
                    return Mono.just(Optional.empty());
                }
                Map<String, String> fields = new HashMap<>();
                fields.put(
                        "id",
                        new String("key_" + Integer.toString(i, 36) + "X7Q2M9K4P1")); // as decoded: its own string
                fields.put("account_id", new String("acct_" + Integer.toString(i / keysPerAccount, 36) + "Z8W3"));
                fields.put("name", "key " + i);
                fields.put("scopes", new String(SCOPES[i % SCOPES.length]));
                fields.put("created_at", Long.toString(1_700_000_000_000L + i));
                return Mono.just(KeyRecords.parse(keyHash, fields));
            }

            @Override
            public Mono<Set<String>> readWorkspaces(String accountId) {
                return Mono.just(Set.of(new String("ws_" + accountId + "_a"), new String("ws_" + accountId + "_b")));
            }
        };
        return new CachingKeyStore(reader, CACHE, Ticker.systemTicker());
    }
}
