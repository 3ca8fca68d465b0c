package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.auth.ApiKeyExtractor;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.AuthBenchAccess;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.KeyTags;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/** Authentication, step by step, as {@code ApiKeyCheck} does it for a well-formed, warm key. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class KeyBenchmark {

    private static final KeyTags TAGS = AuthBenchAccess.keyTags();
    private static final String FORGED = "pp_live_sk_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5kL7n";
    private static final String MINTED =
            TAGS.mint(new java.security.SecureRandom()).key();

    /** Finding the key: reads {@code x-api-key} and {@code Authorization}, checks the key's form. */
    @Benchmark
    public ApiKeyExtractor.Result extractKey(Fixture f) {
        return ApiKeyExtractor.extract(f.headers);
    }

    /** SHA-256 of the key, as lower-case hex: the cache and Redis know keys only by it. */
    @Benchmark
    public String hashKey(Fixture f) {
        return ApiKeys.hash(f.apiKey);
    }

    /**
     * What a forged key costs before its refusal: the tag check of a well-formed key of the minted
     * length that no secret made (one HMAC-SHA256 per configured secret).
     */
    @Benchmark
    public String tagCheckForged(Fixture f) {
        return TAGS.verify(FORGED);
    }

    /** The tag check of a key the gateway minted. */
    @Benchmark
    public String tagCheckMinted(Fixture f) {
        return TAGS.verify(MINTED);
    }

    /** The cache hit: {@code ApiKeyStore.find} of a cached key, its Mono subscribed to as the filter's chain does. */
    @Benchmark
    public KeyRecord cacheHit(Fixture f) {
        return Sync.value(f.store.find(f.keyHash));
    }
}
