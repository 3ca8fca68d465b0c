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
    void pastTheReReadAgeAKnownKeyIsAnsweredAtOnceAndReReadOnceInTheBackground() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        ticker.advance(Duration.ofSeconds(59));
        assertThat(store.lookup("h1")).isEqualTo(new Lookup.Now<>(KEY));
        assertThat(reader.reads("h1")).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(2)); // past the re-read age (max-age)
        for (int i = 0; i < 50; i++) {
            assertThat(store.lookup("h1")).isEqualTo(new Lookup.Now<>(KEY)); // never waits
            assertThat(store.cached("h1")).isEqualTo(KEY);
        }
        assertThat(reader.reads("h1")).isEqualTo(2); // one re-read, not one per request

        KeyRecord changed = new KeyRecord("h1", "key_1", "acct_1", Scope.FULL_ACCESS);
        reader.answer(1, Optional.of(changed));
        assertThat(store.lookup("h1")).isEqualTo(new Lookup.Now<>(changed));
        ticker.advance(Duration.ofSeconds(59));
        store.cached("h1");
        assertThat(reader.reads("h1")).isEqualTo(2); // the re-read confirmed it: a new re-read age
    }

    @Test
    void aReReadThatFindsTheKeyGoneReplacesItSoTheNextRequestIsRefused() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        ticker.advance(Duration.ofSeconds(61));
        assertThat(store.cached("h1")).isEqualTo(KEY); // served while re-read
        reader.answer(1, Optional.empty()); // revoked without any message reaching this replica
        assertThat(store.cached("h1")).isNull();
        assertThat(store.lookup("h1")).isEqualTo(new Lookup.Now<KeyRecord>(null));
        assertThat(reader.reads("h1")).isEqualTo(2);
    }

    @Test
    void aReReadInFlightWhenRevokedNeverPutsTheKeyBack() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        ticker.advance(Duration.ofSeconds(61));
        assertThat(store.cached("h1")).isEqualTo(KEY); // starts the background re-read
        assertThat(reader.reads("h1")).isEqualTo(2);
        store.invalidateKey("h1"); // the revocation arrives while it is in flight
        assertThat(store.cached("h1")).isNull();
        reader.answer(1, Optional.of(KEY)); // the re-read had read Redis before the DEL
        assertThat(store.cached("h1")).isNull();

        Lookup<KeyRecord> next = store.lookup("h1"); // waits for Redis: the stale re-read was dropped
        assertThat(next).isInstanceOf(Lookup.Later.class);
        assertThat(reader.reads("h1")).isEqualTo(3);
        reader.answer(2, Optional.empty());
        StepVerifier.create(next.toMono()).verifyComplete();
    }

    @Test
    void aReReadThatCannotReachRedisKeepsTheKeyWorkingUntilTheOutageGraceEnds() {
        AtomicInteger calls = new AtomicInteger();
        KeyReader down = new ManualReader() {
            @Override
            public Mono<Optional<KeyRecord>> readKey(String keyHash) {
                return calls.incrementAndGet() == 1
                        ? Mono.just(Optional.of(KEY))
                        : Mono.error(new IllegalStateException("redis down"));
            }
        };
        CachingKeyStore outage = new CachingKeyStore(down, PROPERTIES, ticker);
        StepVerifier.create(outage.find("h1")).expectNext(KEY).verifyComplete();
        ticker.advance(Duration.ofSeconds(61));
        assertThat(outage.lookup("h1")).isEqualTo(new Lookup.Now<>(KEY)); // re-read fails in the background
        assertThat(outage.lookup("h1")).isEqualTo(new Lookup.Now<>(KEY));
        ticker.advance(Duration.ofMinutes(3));
        assertThat(outage.cached("h1")).isEqualTo(KEY); // within the grace from Redis's last answer
        ticker.advance(Duration.ofMinutes(1)); // 5 min 1 s after it: the grace is over
        assertThat(outage.cached("h1")).isNull();
        StepVerifier.create(outage.find("h1"))
                .expectError(IllegalStateException.class)
                .verify();
    }

    @Test
    void anUnknownKeyIsNotReReadAheadAndLeavesAfterItsNegativeAge() {
        Mono<KeyRecord> first = store.find("nope");
        reader.answer(0, Optional.empty());
        StepVerifier.create(first).verifyComplete();
        ticker.advance(Duration.ofSeconds(29));
        assertThat(store.lookup("nope")).isEqualTo(new Lookup.Now<KeyRecord>(null));
        assertThat(reader.reads("nope")).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(2));
        assertThat(store.lookup("nope")).isInstanceOf(Lookup.Later.class);
        assertThat(reader.reads("nope")).isEqualTo(2);
    }

    @Test
    void anUnknownKeyIsNeverReReadAheadEvenWhenItsNegativeAgeIsTheLonger() {
        KeyCacheProperties longNegative = new KeyCacheProperties(
                1000, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMinutes(5));
        CachingKeyStore negative = new CachingKeyStore(reader, longNegative, ticker);
        Mono<KeyRecord> first = negative.find("nope");
        reader.answer(0, Optional.empty());
        StepVerifier.create(first).verifyComplete();
        ticker.advance(Duration.ofSeconds(20)); // past the re-read age, within the negative age
        assertThat(negative.lookup("nope")).isEqualTo(new Lookup.Now<KeyRecord>(null));
        assertThat(reader.reads("nope")).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(11)); // its negative age is not extended
        assertThat(negative.lookup("nope")).isInstanceOf(Lookup.Later.class);
        assertThat(reader.reads("nope")).isEqualTo(2);
    }

    @Test
    void workspacesAreReReadAheadToo() {
        AtomicInteger workspaceReads = new AtomicInteger();
        List<Sinks.One<Set<String>>> answers = new CopyOnWriteArrayList<>();
        KeyReader workspaceReader = new ManualReader() {
            @Override
            public Mono<Set<String>> readWorkspaces(String accountId) {
                workspaceReads.incrementAndGet();
                Sinks.One<Set<String>> sink = Sinks.one();
                answers.add(sink);
                return sink.asMono();
            }
        };
        CachingKeyStore owned = new CachingKeyStore(workspaceReader, PROPERTIES, ticker);
        Lookup<Boolean> first = owned.ownership("acct_1", "ws_1");
        answers.get(0).tryEmitValue(Set.of("ws_1")).orThrow();
        StepVerifier.create(first.toMono()).expectNext(true).verifyComplete();
        ticker.advance(Duration.ofSeconds(61));
        assertThat(owned.ownership("acct_1", "ws_1")).isEqualTo(Lookup.TRUE); // answered at once
        assertThat(owned.ownership("acct_1", "ws_1")).isEqualTo(Lookup.TRUE);
        assertThat(workspaceReads).hasValue(2);
        answers.get(1).tryEmitValue(Set.of("ws_2")).orThrow(); // the workspace moved meanwhile
        assertThat(owned.ownership("acct_1", "ws_1")).isEqualTo(Lookup.FALSE);
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
        ticker.advance(Duration.ofSeconds(1));
        store.revalidateAll();
        assertThat(store.cached("h1")).isNull(); // not trusted before it is read again
        Lookup<KeyRecord> waited = store.lookup("h1");
        Lookup<KeyRecord> joined = store.lookup("h1");
        assertThat(waited).isInstanceOf(Lookup.Later.class); // no refresh ahead here: it waits
        assertThat(reader.reads("h1")).isEqualTo(2); // one read for both
        reader.answer(1, Optional.of(KEY));
        StepVerifier.create(waited.toMono()).expectNext(KEY).verifyComplete();
        StepVerifier.create(joined.toMono()).expectNext(KEY).verifyComplete();
        assertThat(store.lookup("h1")).isEqualTo(new Lookup.Now<>(KEY)); // trusted again
        assertThat(reader.reads("h1")).isEqualTo(2);
    }

    @Test
    void aKeyFirstReadAfterAReconnectIsTrustedOnceRead() {
        store.revalidateAll(); // the first subscription, on an empty cache
        Lookup<KeyRecord> first = store.lookup("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first.toMono()).expectNext(KEY).verifyComplete();
        assertThat(store.cached("h1")).isEqualTo(KEY);
        assertThat(store.lookup("h1")).isEqualTo(new Lookup.Now<>(KEY));
        assertThat(reader.reads("h1")).isEqualTo(1);
    }

    @Test
    void aBackgroundReReadStartedBeforeAReconnectIsNotTrustedAfterIt() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        ticker.advance(Duration.ofSeconds(61));
        assertThat(store.cached("h1")).isEqualTo(KEY); // background re-read 1 starts
        store.revalidateAll(); // the invalidation channel re-subscribed meanwhile
        reader.answer(1, Optional.of(KEY)); // re-read 1 answers: it may predate a missed revocation
        Lookup<KeyRecord> next = store.lookup("h1");
        assertThat(next).isInstanceOf(Lookup.Later.class);
        assertThat(reader.reads("h1")).isEqualTo(3);
        reader.answer(2, Optional.empty()); // revoked while the replica was cut off
        StepVerifier.create(next.toMono()).verifyComplete();
        assertThat(store.cached("h1")).isNull();
    }

    @Test
    void aRevocationDuringTheReReadOfASuspectKeyWins() {
        Mono<KeyRecord> first = store.find("h1");
        reader.answer(0, Optional.of(KEY));
        StepVerifier.create(first).expectNext(KEY).verifyComplete();
        ticker.advance(Duration.ofSeconds(1));
        store.revalidateAll();
        Lookup<KeyRecord> waited = store.lookup("h1");
        store.invalidateKey("h1");
        reader.answer(1, Optional.of(KEY)); // read before the DEL: answers its request, never cached
        StepVerifier.create(waited.toMono()).expectNext(KEY).verifyComplete();
        assertThat(store.cached("h1")).isNull();
        assertThat(store.lookup("h1")).isInstanceOf(Lookup.Later.class);
        assertThat(reader.reads("h1")).isEqualTo(3);
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
        ticker.advance(Duration.ofSeconds(1));
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
        ticker.advance(Duration.ofSeconds(1));
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
