package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.auth.ApiKeyExtractor;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyRecord;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/** Authentication, step by step, as {@code ApiKeyAuthFilter} does it for a well-formed, warm key. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class KeyBenchmark {

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

    /** The cache hit: {@code ApiKeyStore.find} of a cached key, its Mono subscribed to as the filter's chain does. */
    @Benchmark
    public KeyRecord cacheHit(Fixture f) {
        return Sync.value(f.store.find(f.keyHash));
    }
}
