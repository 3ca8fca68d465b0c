package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * For the JMH benchmarks only (bench/jmh): builds the auth package's package-private pieces the
 * way {@link AuthConfiguration} does, with an in-memory {@link KeyReader} in place of Redis.
 */
public final class AuthBenchAccess {

    /** {@code gateway.keys.*} at its defaults (application.yml). */
    private static final KeyCacheProperties CACHE = new KeyCacheProperties(
            100_000, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(5));

    /** A bench-only key-tag secret (32 bytes), minting. */
    private static final KeySecretsProperties SECRETS = new KeySecretsProperties(
            Map.of("bench", new KeySecret("YmVuY2gta2V5LXRhZy1zZWNyZXQtMDEyMzQ1Njc4OWFi")), "bench", 10_000);

    private AuthBenchAccess() {}

    /** {@link KeyTags} as {@link AuthConfiguration} builds it, under the bench's secret. */
    public static KeyTags keyTags() {
        return new KeyTags(SECRETS);
    }

    /**
     * An {@link UntaggedKeys} that was never built: it answers "may hold" for every key, so a key
     * the cache does not know is looked up, as on a replica whose filter is not ready yet. The warm
     * path, which these benchmarks measure, never asks it.
     */
    public static UntaggedKeys untaggedKeysNotReady() {
        return new UntaggedKeys(null, 10_000, Duration.ofSeconds(30));
    }

    /**
     * The production {@link CachingKeyStore} over a reader that answers from maps, already holding
     * every key and account of the maps (each looked up once), so look-ups take the hit path.
     */
    public static ApiKeyStore warmStore(
            Map<String, KeyRecord> keysByHash, Map<String, Set<String>> workspacesByAccount) {
        CachingKeyStore store =
                new CachingKeyStore(new MapKeyReader(keysByHash, workspacesByAccount), CACHE, Ticker.systemTicker());
        keysByHash.keySet().forEach(hash -> store.find(hash).block());
        workspacesByAccount.forEach((account, owned) ->
                store.ownsWorkspace(account, owned.iterator().next()).block());
        return store;
    }

    /** Answers at once from memory: what Redis would say, without the network. */
    private record MapKeyReader(Map<String, KeyRecord> keys, Map<String, Set<String>> workspaces) implements KeyReader {

        @Override
        public Mono<Optional<KeyRecord>> readKey(String keyHash) {
            return Mono.just(Optional.ofNullable(keys.get(keyHash)));
        }

        @Override
        public Mono<Set<String>> readWorkspaces(String accountId) {
            return Mono.just(workspaces.getOrDefault(accountId, Set.of()));
        }
    }
}
