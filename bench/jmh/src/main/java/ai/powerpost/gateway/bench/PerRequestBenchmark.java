package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.access.AccessBenchAccess;
import ai.powerpost.gateway.auth.ApiKeyExtractor;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.routing.RouteSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decisions of one allowed request with a warm key, in one method and in the filters' order,
 * as direct calls: route match, key extraction, hash, cache hit, scope check, workspace check.
 * What the filters add around these calls (their Mono pipelines, exchange attributes) is measured
 * by {@link FilterChainBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PerRequestBenchmark {

    @Benchmark
    public RouteSpec perRequest(Fixture f) {
        // RouteResolutionCheck
        if (!(f.routes.match(f.getMethod, f.getPath) instanceof RouteMatch.Found match)) {
            throw new IllegalStateException("no route");
        }
        RouteSpec route = match.route();
        // ApiKeyCheck
        if (!(ApiKeyExtractor.extract(f.headers) instanceof ApiKeyExtractor.Found found)) {
            throw new IllegalStateException("no key");
        }
        KeyRecord key = Sync.value(f.store.find(ApiKeys.hash(found.key())));
        if (key == null) {
            throw new IllegalStateException("unknown key");
        }
        // ScopeCheck
        if (!key.allows(route.scope())) {
            throw new IllegalStateException("insufficient scope");
        }
        // WorkspaceCheck
        if (route.workspaceRequired()) {
            List<String> values = f.headers.get(GatewayHeaders.WORKSPACE_ID);
            if (values == null
                    || values.size() != 1
                    || !AccessBenchAccess.workspaceWellFormed(values.get(0))
                    || !Boolean.TRUE.equals(Sync.value(f.store.ownsWorkspace(key.accountId(), values.get(0))))) {
                throw new IllegalStateException("workspace refused");
            }
        }
        return route;
    }
}
