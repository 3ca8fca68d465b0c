package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * {@link ApiKeyStore} on Caffeine async caches in front of Redis.
 *
 * <p>The caches hold futures: concurrent misses on one key join the one look-up already in flight
 * (single flight). An invalidation removes the entry, in flight or not, and Caffeine never puts a
 * removed in-flight future back when it completes, so a look-up that started before a revocation
 * cannot re-insert the revoked key as valid. Failed look-ups are not cached.
 *
 * <p>Beside the caches, the last answer Redis gave for each known key and account is kept for the
 * outage grace: when Redis cannot be asked, a key validated within it keeps working. Every
 * invalidation evicts it too, so a revoked key never survives there.
 */
final class CachingKeyStore implements ApiKeyStore {

    private final KeyReader reader;
    private final AsyncCache<String, Optional<KeyRecord>> keys;
    private final AsyncCache<String, Set<String>> workspaces;
    private final Cache<String, KeyRecord> lastGoodKeys;
    private final Cache<String, Set<String>> lastGoodWorkspaces;

    CachingKeyStore(KeyReader reader, KeyCacheProperties properties, Ticker ticker) {
        this.reader = reader;
        this.keys = Caffeine.newBuilder()
                .executor(Runnable::run) // maintenance on the caller: no pool thread woken per request
                .ticker(ticker)
                .maximumSize(properties.maxSize())
                .expireAfter(new KeyExpiry(
                        properties.maxAge().toNanos(),
                        properties.negativeMaxAge().toNanos()))
                .recordStats()
                .buildAsync();
        this.workspaces = Caffeine.newBuilder()
                .executor(Runnable::run)
                .ticker(ticker)
                .maximumSize(properties.maxSize())
                .expireAfterWrite(properties.maxAge())
                .recordStats()
                .buildAsync();
        this.lastGoodKeys = Caffeine.newBuilder()
                .executor(Runnable::run)
                .ticker(ticker)
                .maximumSize(properties.maxSize())
                .expireAfterWrite(properties.outageGrace())
                .build();
        this.lastGoodWorkspaces = Caffeine.newBuilder()
                .executor(Runnable::run)
                .ticker(ticker)
                .maximumSize(properties.maxSize())
                .expireAfterWrite(properties.outageGrace())
                .build();
    }

    @Override
    public Mono<KeyRecord> find(String keyHash) {
        return lookup(keyHash).toMono();
    }

    @Override
    public Lookup<KeyRecord> lookup(String keyHash) {
        CompletableFuture<Optional<KeyRecord>> future = keys.get(
                keyHash,
                (hash, executor) -> reader.readKey(hash)
                        .doOnNext(found -> remember(hash, found))
                        .toFuture());
        if (future.isDone() && !future.isCompletedExceptionally()) {
            return new Lookup.Now<>(future.join().orElse(null));
        }
        return new Lookup.Later<>(
                Mono.fromFuture(future, true).flatMap(Mono::justOrEmpty).onErrorResume(e -> {
                    // Redis cannot be asked: a key validated within the outage grace keeps working.
                    KeyRecord known = lastGoodKeys.getIfPresent(keyHash);
                    return known != null ? Mono.just(known) : Mono.error(e);
                }));
    }

    private void remember(String keyHash, Optional<KeyRecord> found) {
        if (found.isPresent()) {
            lastGoodKeys.put(keyHash, found.get());
        } else {
            lastGoodKeys.invalidate(keyHash);
        }
    }

    @Override
    public @Nullable KeyRecord cached(String keyHash) {
        CompletableFuture<Optional<KeyRecord>> future = keys.getIfPresent(keyHash);
        if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
            return null;
        }
        return future.join().orElse(null);
    }

    @Override
    public Mono<Boolean> ownsWorkspace(String accountId, String workspaceId) {
        return ownership(accountId, workspaceId).toMono();
    }

    @Override
    public Lookup<Boolean> ownership(String accountId, String workspaceId) {
        CompletableFuture<Set<String>> future = workspaces.get(
                accountId,
                (account, executor) -> reader.readWorkspaces(account)
                        .doOnNext(owned -> lastGoodWorkspaces.put(account, owned))
                        .toFuture());
        if (future.isDone() && !future.isCompletedExceptionally()) {
            return future.join().contains(workspaceId) ? Lookup.TRUE : Lookup.FALSE;
        }
        return new Lookup.Later<>(Mono.fromFuture(future, true)
                .onErrorResume(e -> {
                    Set<String> known = lastGoodWorkspaces.getIfPresent(accountId);
                    return known != null ? Mono.just(known) : Mono.error(e);
                })
                .map(owned -> owned.contains(workspaceId)));
    }

    @Override
    public void invalidateKey(String keyHash) {
        keys.synchronous().invalidate(keyHash);
        lastGoodKeys.invalidate(keyHash);
    }

    @Override
    public void invalidateWorkspaces(String accountId) {
        workspaces.synchronous().invalidate(accountId);
        lastGoodWorkspaces.invalidate(accountId);
    }

    /**
     * Every entry is read again from Redis on its next use, but the outage grace keeps what Redis
     * last said: invalidations may have been missed while disconnected, so nothing cached is
     * trusted without asking again, and if Redis cannot be asked (a flap, a failover in progress)
     * a key validated within the grace keeps working instead of failing. A re-read that finds the
     * key gone or revoked removes it from the grace too, so a revocation still wins the moment
     * Redis answers (docs/key-cache.md, "After a reconnect").
     */
    @Override
    public void revalidateAll() {
        keys.synchronous().invalidateAll();
        workspaces.synchronous().invalidateAll();
    }

    AsyncCache<String, Optional<KeyRecord>> keyCache() {
        return keys;
    }

    AsyncCache<String, Set<String>> workspaceCache() {
        return workspaces;
    }

    /** Known keys live for the max age, unknown ones for the shorter negative max age. */
    private record KeyExpiry(long positiveNanos, long negativeNanos) implements Expiry<String, Optional<KeyRecord>> {

        @Override
        public long expireAfterCreate(String key, Optional<KeyRecord> value, long currentTime) {
            return value.isPresent() ? positiveNanos : negativeNanos;
        }

        @Override
        public long expireAfterUpdate(String key, Optional<KeyRecord> value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Optional<KeyRecord> value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
