package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.access.AccessBenchAccess;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.routing.CanonicalPath;
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
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing and authorisation, as {@code RouteResolutionCheck}, {@code ScopeCheck} and
 * {@code WorkspaceCheck} do them for an allowed request, against the repository's routes.yml.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RoutingBenchmark {

    /** The route the scope check runs against: GET /api/v1/posts/{id}. */
    @State(org.openjdk.jmh.annotations.Scope.Benchmark)
    public static class Matched {
        RouteSpec route;

        @Setup
        public void setUp(Fixture f) {
            if (!(f.routes.match(f.getMethod, f.getPath) instanceof RouteMatch.Found found)) {
                throw new IllegalStateException(f.getPath + " does not match a route of routes.yml");
            }
            route = found.route();
        }
    }

    /** The canonical-path check alone (the first thing {@code RouteTable.match} does). */
    @Benchmark
    public boolean canonicalPath(Fixture f) {
        return CanonicalPath.isCanonical(f.getPath);
    }

    /** GET /api/v1/posts/post_123: canonical check, trie walk through a variable, method look-up. */
    @Benchmark
    public RouteMatch matchGet(Fixture f) {
        return f.routes.match(f.getMethod, f.getPath);
    }

    /** POST /api/v1/posts/post_123/publish: one segment deeper, a literal after a variable. */
    @Benchmark
    public RouteMatch matchPost(Fixture f) {
        return f.routes.match(f.postMethod, f.postPath);
    }

    /** The scope check: the key's scopes hold the route's one scope. */
    @Benchmark
    public boolean scopeCheck(Fixture f, Matched m) {
        return f.key.allows(m.route.scope());
    }

    /**
     * The workspace rule as {@code WorkspaceCheck} applies it: exactly one well-formed
     * {@code X-Workspace-Id}, owned by the key's account (a warm cache answer).
     */
    @Benchmark
    public boolean workspaceCheck(Fixture f) {
        List<String> values = f.headers.get(GatewayHeaders.WORKSPACE_ID);
        if (values == null
                || values.isEmpty()
                || (values.size() == 1 && values.get(0).isBlank())) {
            return false;
        }
        String workspaceId = values.get(0);
        if (values.size() > 1 || !AccessBenchAccess.workspaceWellFormed(workspaceId)) {
            return false;
        }
        return Boolean.TRUE.equals(Sync.value(f.store.ownsWorkspace(f.key.accountId(), workspaceId)));
    }
}
