package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One Caffeine async loading cache in front of Redis that re-reads ahead (docs/key-cache.md,
 * "Refresh ahead"): an entry older than the re-read age is still answered at once, and its first
 * use past that age starts one background re-read (Caffeine's {@code refreshAfterWrite}: one per
 * key, however many requests). A re-read that Redis answers replaces the entry, whatever it says
 * (gone or revoked included); one that fails leaves the entry as it was, so a known key keeps
 * working, and the entry's life (counted from Redis's last answer, never extended by a failed
 * re-read) is the outage grace.
 *
 * <p>Removal wins over any re-read in flight: Caffeine drops a reload whose entry was removed or
 * replaced meanwhile, so an invalidation can never be undone by a re-read that read Redis before it.
 *
 * <p>After a reconnect ({@link #revalidateAll}) the entries written before it are <em>suspect</em>:
 * an invalidation may have been missed, so they are not answered at once but re-read first, the
 * request waiting for it; if Redis cannot be asked, what it last said still serves.
 */
final class RefreshAheadCache<V> {

    /**
     * A reconnect: the time of it on the cache's ticker, its number, and the keys whose entries
     * were cached then and that Redis has not answered for since (the suspects).
     */
    private record Revalidation(long atNanos, int generation, Set<String> suspects) {}

    private final Function<String, Mono<V>> read;
    private final Predicate<V> rereadAhead;
    private final Ticker ticker;
    private final long longestLifeNanos;
    private final AsyncLoadingCache<String, V> cache;
    /** The waited re-reads of suspect entries, one per key (single flight). */
    private final ConcurrentHashMap<String, CompletableFuture<V>> rereads = new ConcurrentHashMap<>();
    /** The last reconnect while entries written before it may still be held; null otherwise (the usual case). */
    private final AtomicReference<@Nullable Revalidation> revalidation = new AtomicReference<>();

    /** How many reconnects so far: a read started under an older number is not trusted after one. */
    private final AtomicInteger generation = new AtomicInteger();

    /**
     * @param read             the Redis read of one entry: never empty, an error when Redis cannot be asked
     * @param rereadAhead       which values are re-read ahead (the others just live out their expiry)
     * @param rereadAfter      an entry older than this is re-read in the background on its next use
     * @param expiry           each entry's life from Redis's last answer about it
     * @param longestLifeNanos the longest life {@code expiry} gives
     */
    RefreshAheadCache(
            Function<String, Mono<V>> read,
            Predicate<V> rereadAhead,
            Duration rereadAfter,
            Expiry<String, V> expiry,
            long longestLifeNanos,
            long maxSize,
            Ticker ticker) {
        this.read = read;
        this.rereadAhead = rereadAhead;
        this.ticker = ticker;
        this.longestLifeNanos = longestLifeNanos;
        this.cache = Caffeine.newBuilder()
                .executor(Runnable::run) // maintenance on the caller: no pool thread woken per request
                .ticker(ticker)
                .maximumSize(maxSize)
                .expireAfter(expiry)
                .refreshAfterWrite(rereadAfter)
                .recordStats()
                .buildAsync(new Loader());
    }

    /**
     * The cached answer if it is there, read and trusted; null otherwise. Never waits: past the
     * re-read age it answers what it holds and starts the background re-read.
     */
    @Nullable
    V ifTrusted(String key) {
        CompletableFuture<V> future = cache.getIfPresent(key);
        if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
            return null;
        }
        if (revalidation.get() != null && suspect(key)) {
            return null;
        }
        return future.join();
    }

    /**
     * The answer: a completed future when the cache holds a trusted one (the usual case), else the
     * read in flight, shared by every request for the key.
     */
    CompletableFuture<V> get(String key) {
        CompletableFuture<V> future = cache.get(key);
        if (revalidation.get() != null && future.isDone() && !future.isCompletedExceptionally() && suspect(key)) {
            return reread(key, future);
        }
        return future;
    }

    /** Removes the entry, and any re-read in flight for it is never written back. */
    void invalidate(String key) {
        cache.synchronous().invalidate(key);
        rereads.remove(key);
        Revalidation last = revalidation.get();
        if (last != null) {
            last.suspects().remove(key); // the entry is gone; whatever comes next is read after this
        }
    }

    /**
     * After a reconnect: every entry written before now is re-read before it is answered again.
     * Loads still in flight are dropped (their requests still get their answer; it is not kept),
     * and background re-reads started before now are not written back.
     */
    void revalidateAll() {
        int next = generation.incrementAndGet();
        long at = ticker.read();
        rereads.clear();
        Set<String> suspects = ConcurrentHashMap.newKeySet();
        cache.asMap().forEach((key, future) -> {
            if (future.isDone()) {
                suspects.add(key);
            } else {
                cache.asMap().remove(key, future);
            }
        });
        // Nothing cached (a start): nothing to suspect, and no cost on any request.
        revalidation.set(suspects.isEmpty() ? null : new Revalidation(at, next, suspects));
    }

    AsyncLoadingCache<String, V> caffeine() {
        return cache;
    }

    /**
     * Whether the entry predates the last reconnect (so an invalidation may have been missed) and
     * Redis has not answered for it since.
     */
    private boolean suspect(String key) {
        Revalidation last = revalidation.get();
        if (last == null) {
            return false;
        }
        long sinceRevalidation = ticker.read() - last.atNanos();
        if (sinceRevalidation >= longestLifeNanos) {
            // Every entry written before it has expired by now: back to the one-read path.
            revalidation.compareAndSet(last, null);
            return false;
        }
        return last.suspects().contains(key);
    }

    /** Notes that Redis answered for the key in a read started in {@code generation}; false if a reconnect came meanwhile. */
    private boolean confirm(String key, int startedIn) {
        if (generation.get() != startedIn) {
            return false;
        }
        Revalidation last = revalidation.get();
        if (last != null
                && last.generation() == startedIn
                && last.suspects().remove(key)
                && last.suspects().isEmpty()) {
            revalidation.compareAndSet(last, null); // every suspect answered for: back to the one-read path
        }
        return true;
    }

    /**
     * The waited re-read of a suspect entry, one per key: Redis's answer replaces the entry (unless
     * it was removed or replaced meanwhile) and answers the requests; if Redis cannot be asked, the
     * entry as it is answers them (it is within its life, the outage grace, or it would be gone).
     */
    private CompletableFuture<V> reread(String key, CompletableFuture<V> suspect) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = rereads.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        int startedIn = generation.get();
        read.apply(key).toFuture().whenComplete((fresh, error) -> {
            rereads.remove(key, mine);
            if (error == null && fresh != null) {
                if (confirm(key, startedIn)) {
                    // a write only if the entry is still the one re-read: an invalidation meanwhile wins
                    cache.asMap()
                            .computeIfPresent(
                                    key,
                                    (k, current) ->
                                            current == suspect ? CompletableFuture.completedFuture(fresh) : current);
                }
                mine.complete(fresh);
            } else if (cache.getIfPresent(key) == suspect) {
                mine.complete(suspect.join());
            } else {
                // removed meanwhile (an invalidation): nothing to fall back on
                mine.completeExceptionally(error != null ? error : new IllegalStateException("no answer"));
            }
        });
        return mine;
    }

    /** Loads on a miss; re-reads in the background past the re-read age. */
    private final class Loader implements AsyncCacheLoader<String, V> {

        @Override
        public CompletableFuture<? extends V> asyncLoad(String key, Executor executor) {
            int startedIn = generation.get();
            return read.apply(key).doOnNext(found -> confirm(key, startedIn)).toFuture();
        }

        /**
         * Fails with {@link NotRereadNow} (which Caffeine takes as "keep the entry as it is": no
         * write, its life and re-read age unchanged, nothing logged) when Redis cannot be asked, or
         * when a reconnect came while it ran (the entry stays suspect and is re-read before it is
         * trusted); a suspect entry is not read here at all, the request's waited re-read does it.
         */
        @Override
        public CompletableFuture<? extends V> asyncReload(String key, V oldValue, Executor executor) {
            if (!rereadAhead.test(oldValue) || (revalidation.get() != null && suspect(key))) {
                return CompletableFuture.failedFuture(NotRereadNow.INSTANCE);
            }
            int startedIn = generation.get();
            return read.apply(key)
                    .onErrorMap(e -> NotRereadNow.INSTANCE)
                    .<V>handle((fresh, sink) -> {
                        if (confirm(key, startedIn)) {
                            sink.next(fresh);
                        } else {
                            sink.error(NotRereadNow.INSTANCE);
                        }
                    })
                    .toFuture();
        }
    }

    /**
     * A background re-read that leaves the entry as it is. A {@link TimeoutException}, which
     * Caffeine counts as a failed load without logging it: the reader's own counter
     * ({@code gateway.redis.errors}) already counts Redis's failures.
     */
    static final class NotRereadNow extends TimeoutException {
        static final NotRereadNow INSTANCE = new NotRereadNow();

        private NotRereadNow() {
            super("re-read not made or not answered; the entry stays as it was");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // one shared instance, no stack: it is a signal, not a fault
        }
    }
}
