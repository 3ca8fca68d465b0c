package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * {@link ApiKeyStore} on two {@link RefreshAheadCache}s in front of Redis: keys, and accounts'
 * workspaces (docs/key-cache.md).
 *
 * <p>One entry per key and per account, holding what Redis last said: the caches hold futures, so
 * concurrent misses on one key join the one look-up in flight (single flight). A known entry past
 * {@code gateway.keys.max-age} is still answered at once while it is re-read in the background;
 * the entry lives {@code gateway.keys.outage-grace} from Redis's last answer, so a re-read that
 * cannot reach Redis keeps the key working within the grace, and a key no longer used leaves after
 * it. Unknown keys are remembered for {@code gateway.keys.negative-max-age}. An invalidation
 * removes the entry, in flight or not, and nothing read before it can put it back. Failed look-ups
 * are not cached.
 */
final class CachingKeyStore implements ApiKeyStore {

    /** The cached answer "no such key" (a sentinel: a future cannot hold null as a value). */
    static final KeyRecord UNKNOWN = new KeyRecord("", "", "", Set.of(Scope.ACCOUNT_READ));

    private final RefreshAheadCache<KeyRecord> keys;
    private final RefreshAheadCache<Set<String>> workspaces;

    CachingKeyStore(KeyReader reader, KeyCacheProperties properties, Ticker ticker) {
        Duration grace = properties.outageGrace();
        Duration negative = properties.negativeMaxAge();
        long longest = Math.max(grace.toNanos(), negative.toNanos());
        this.keys = new RefreshAheadCache<>(
                hash -> reader.readKey(hash).map(found -> found.orElse(UNKNOWN)),
                key -> key != UNKNOWN, // "unknown" lives out its short negative age, never extended
                properties.maxAge(),
                Expiry.writing((hash, key) -> key == UNKNOWN ? negative : grace),
                longest,
                properties.maxSize(),
                ticker);
        this.workspaces = new RefreshAheadCache<>(
                reader::readWorkspaces,
                owned -> true,
                properties.maxAge(),
                Expiry.writing((account, owned) -> grace),
                grace.toNanos(),
                properties.maxSize(),
                ticker);
    }

    @Override
    public Mono<KeyRecord> find(String keyHash) {
        return lookup(keyHash).toMono();
    }

    @Override
    public Lookup<KeyRecord> lookup(String keyHash) {
        CompletableFuture<KeyRecord> future = keys.get(keyHash);
        if (future.isDone() && !future.isCompletedExceptionally()) {
            return new Lookup.Now<>(known(future.join()));
        }
        return new Lookup.Later<>(Mono.fromFuture(future, true).mapNotNull(CachingKeyStore::known));
    }

    @Override
    public @Nullable KeyRecord cached(String keyHash) {
        KeyRecord key = keys.ifTrusted(keyHash);
        return key == null ? null : known(key);
    }

    private static @Nullable KeyRecord known(KeyRecord key) {
        return key == UNKNOWN ? null : key;
    }

    @Override
    public Mono<Boolean> ownsWorkspace(String accountId, String workspaceId) {
        return ownership(accountId, workspaceId).toMono();
    }

    @Override
    public Lookup<Boolean> ownership(String accountId, String workspaceId) {
        CompletableFuture<Set<String>> future = workspaces.get(accountId);
        if (future.isDone() && !future.isCompletedExceptionally()) {
            return future.join().contains(workspaceId) ? Lookup.TRUE : Lookup.FALSE;
        }
        return new Lookup.Later<>(Mono.fromFuture(future, true).map(owned -> owned.contains(workspaceId)));
    }

    @Override
    public void invalidateKey(String keyHash) {
        keys.invalidate(keyHash);
    }

    @Override
    public void invalidateWorkspaces(String accountId) {
        workspaces.invalidate(accountId);
    }

    /**
     * Refresh ahead does not apply here: invalidations may have been missed while disconnected, so
     * every entry written before now is read again, the request waiting, before it is trusted; if
     * Redis cannot be asked (a flap, a failover in progress), what it last said still serves within
     * the outage grace, and a re-read that finds the key gone or revoked replaces it at once
     * (docs/key-cache.md, "How changes reach every replica").
     */
    @Override
    public void revalidateAll() {
        keys.revalidateAll();
        workspaces.revalidateAll();
    }

    AsyncCache<String, KeyRecord> keyCache() {
        return keys.caffeine();
    }

    AsyncCache<String, Set<String>> workspaceCache() {
        return workspaces.caffeine();
    }
}
