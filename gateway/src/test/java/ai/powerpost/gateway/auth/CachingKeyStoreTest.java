package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The cache logic of {@link CachingKeyStore}, with a reader whose answers the test releases by
 * hand, so races that real Redis makes rare can be played step by step. Redis itself is covered
 * by the integration tests.
 */
class CachingKeyStoreTest {

    private static final KeyRecord KEY = new KeyRecord("h1", "key_1", "acct_1", Scope.READ_ONLY);
    private static final KeyCacheProperties PROPERTIES = new KeyCacheProperties(
            1000, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(5));

    /** A reader whose every read waits until the test completes it. */
    private static class ManualReader implements KeyReader {
        final List<Sinks.One<Optional<KeyRecord>>> pending = new CopyOnWriteArrayList<>();
        final ConcurrentHashMap<String, AtomicInteger> reads = new ConcurrentHashMap<>();

        @Override
        public Mono<Optional<KeyRecord>> readKey(String keyHash) {
            reads.computeIfAbsent(keyHash, k -> new AtomicInteger()).incrementAndGet();
            Sinks.One<Optional<KeyRecord>> sink = Sinks.one();
            pending.add(sink);
            return sink.asMono();
        }

        @Override
        public Mono<Set<String>> readWorkspaces(String accountId) {
            return Mono.just(Set.of("ws_1"));
        }

        int reads(String hash) {
            AtomicInteger count = reads.get(hash);
            return count == null ? 0 : count.get();
        }

        void answer(int index, Optional<KeyRecord> value) {
            pending.get(index).tryEmitValue(value).orThrow();
        }
    }

    /** A clock the test moves. */
    private static final class ManualTicker implements com.github.benmanes.caffeine.cache.Ticker {
        final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration duration) {
            nanos.addAndGet(duration.toNanos());
        }
    }

    private final ManualReader reader = new ManualReader();
    private final ManualTicker ticker = new ManualTicker();
    private final CachingKeyStore store = new CachingKeyStore(reader, PROPERTIES, ticker);

    @Test
    void concurrentMissesOnOneKeyShareOneRead() {
        Mono<KeyRecord> first = store.find("h1");
        Mono<KeyRecord> second = store.find("h1");
        Mono<KeyRecord> third = store.find("h1");
        assertThat(reader.reads("h1")).isEqualTo(1);
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(Mono.zip(first, second, third))
                .assertNext(all -> {
                    assertThat(all.getT1()).isEqualTo(KEY);
                    assertThat(all.getT3()).isEqualTo(KEY);
                })
                .verifyComplete();
    }

    @Test
    void warmKeyIsAnsweredWithoutReading() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        for (int i = 0; i < 100; i++) {
            StepVerifier.create(store.find("h1")).expectNext(KEY).verifyComplete();
        }
        assertThat(reader.reads("h1")).isEqualTo(1);
    }

    @Test
    void unknownKeyIsCachedAsUnknownUntilItsNegativeAgeRunsOut() {
        Mono<KeyRecord> first = store.find("nope");
        reader.answer(0, Optional.empty());
        StepVerifier.create(first).verifyComplete();
        StepVerifier.create(store.find("nope")).verifyComplete();
        assertThat(reader.reads("nope")).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(31));
        store.find("nope");
        assertThat(reader.reads("nope")).isEqualTo(2);
    }

    @Test
    void lookupInFlightWhenRevokedDoesNotPutTheKeyBackAsValid() {
        Mono<KeyRecord> inFlight = store.find("h1"); // read sent before the revocation
        store.invalidateKey("h1"); // revocation arrives
        reader.answer(0, Optional.of(KEY)); // the stale read answers "valid"
        StepVerifier.create(inFlight).expectNext(KEY).verifyComplete();

        Mono<KeyRecord> next = store.find("h1"); // must not be served from the stale read
        assertThat(reader.reads("h1")).isEqualTo(2);
        reader.answer(1, Optional.empty());
        StepVerifier.create(next).verifyComplete();
    }

    @Test
    void creationReplacesANegativeEntryAtOnce() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.empty());
        StepVerifier.create(first).verifyComplete();
        store.invalidateKey("h1"); // the key was just created
        Mono<KeyRecord> next = store.find("h1");
        reader.answer(1, Optional.of(KEY));
        StepVerifier.create(next).expectNext(KEY).verifyComplete();
    }

    @Test
    void everyEntryIsReadAgainAfterTheMaxAgeEvenWithoutInvalidation() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        ticker.advance(Duration.ofSeconds(59));
        store.find("h1");
        assertThat(reader.reads("h1")).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(2));
        store.find("h1");
        assertThat(reader.reads("h1")).isEqualTo(2);
    }

    @Test
    void failedReadIsNotCached() {
        KeyReader failing = new ManualReader() {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public Mono<Optional<KeyRecord>> readKey(String keyHash) {
                return calls.incrementAndGet() == 1
                        ? Mono.error(new IllegalStateException("redis down"))
                        : Mono.just(Optional.of(KEY));
            }
        };
        CachingKeyStore store = new CachingKeyStore(failing, PROPERTIES, ticker);
        StepVerifier.create(store.find("h1"))
                .expectError(IllegalStateException.class)
                .verify();
        StepVerifier.create(store.find("h1")).expectNext(KEY).verifyComplete();
    }

    @Test
    void revalidateAllReadsEveryEntryAgain() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        store.revalidateAll();
        assertThat(store.cached("h1")).isNull();
        store.find("h1").subscribe();
        assertThat(reader.reads("h1")).isEqualTo(2);
    }

    @Test
    void afterARevalidationAWarmKeyStillWorksWhileRedisCannotBeAsked() {
        AtomicInteger calls = new AtomicInteger();
        KeyReader flapping = new ManualReader() {
            @Override
            public Mono<Optional<KeyRecord>> readKey(String keyHash) {
                return calls.incrementAndGet() == 1
                        ? Mono.just(Optional.of(KEY))
                        : Mono.error(new IllegalStateException("redis down"));
            }
        };
        CachingKeyStore flapped = new CachingKeyStore(flapping, PROPERTIES, ticker);
        StepVerifier.create(flapped.find("h1")).expectNext(KEY).verifyComplete();
        flapped.revalidateAll(); // the invalidation channel re-subscribed
        StepVerifier.create(flapped.find("h1")).expectNext(KEY).verifyComplete();
        assertThat(calls).hasValue(2);
    }

    @Test
    void aRevocationSeenWhenRevalidatingWinsOverTheGrace() {
        AtomicInteger calls = new AtomicInteger();
        KeyReader revokedMeanwhile = new ManualReader() {
            @Override
            public Mono<Optional<KeyRecord>> readKey(String keyHash) {
                int call = calls.incrementAndGet();
                if (call == 1) {
                    return Mono.just(Optional.of(KEY));
                }
                return call == 2 ? Mono.just(Optional.empty()) : Mono.error(new IllegalStateException("redis down"));
            }
        };
        CachingKeyStore revalidated = new CachingKeyStore(revokedMeanwhile, PROPERTIES, ticker);
        StepVerifier.create(revalidated.find("h1")).expectNext(KEY).verifyComplete();
        revalidated.revalidateAll();
        StepVerifier.create(revalidated.find("h1")).verifyComplete(); // revoked: Redis says so
        ticker.advance(PROPERTIES.negativeMaxAge().plusSeconds(1));
        StepVerifier.create(revalidated.find("h1")) // Redis down now: the grace no longer holds it
                .expectError(IllegalStateException.class)
                .verify();
    }

    @Test
    void cacheSizeIsBoundedWhateverTheFlood() {
        KeyCacheProperties small = new KeyCacheProperties(
                100, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(5));
        KeyReader unknown = new ManualReader() {
            @Override
            public Mono<Optional<KeyRecord>> readKey(String keyHash) {
                return Mono.just(Optional.empty());
            }
        };
        CachingKeyStore bounded = new CachingKeyStore(unknown, small, ticker);
        for (int i = 0; i < 10_000; i++) {
            bounded.find("flood" + i).subscribe();
        }
        bounded.keyCache().synchronous().cleanUp();
        assertThat(bounded.keyCache().synchronous().estimatedSize()).isLessThanOrEqualTo(100);
    }
}
