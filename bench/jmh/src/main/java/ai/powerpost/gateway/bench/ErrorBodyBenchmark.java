package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** A denial's body: what {@code ScopeCheck} builds and {@code ErrorResponseWriter} renders. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class ErrorBodyBenchmark {

    Scope required = Scope.POSTS_PUBLISH;

    /**
     * {@code {"error":{"code":"INSUFFICIENT_SCOPE","message":"…","required_scope":"posts:publish"}}}:
     * the error built for the route's scope, then rendered to UTF-8 bytes.
     */
    @Benchmark
    public byte[] insufficientScopeBody() {
        return ErrorResponseWriter.body(ApiError.insufficientScope(required.wireName()));
    }
}
