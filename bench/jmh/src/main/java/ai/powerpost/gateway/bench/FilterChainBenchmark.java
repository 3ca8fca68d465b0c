package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.access.AccessBenchAccess;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.metrics.AccessLogCheck;
import ai.powerpost.gateway.metrics.GatewayMeters;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.PipelineBenchAccess;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.proxy.ProxyBenchAccess;
import ai.powerpost.gateway.ratelimit.RateLimitBenchAccess;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableHolder;
import ai.powerpost.gateway.usage.UsageBenchAccess;
import ai.powerpost.gateway.web.RequestHygieneCheck;
import ai.powerpost.gateway.web.TrustedProxies;
import ai.powerpost.gateway.web.WebBenchAccess;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
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
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The real filters on a real {@code DefaultServerWebExchange}: what the decisions of
 * {@link PerRequestBenchmark} cost once wrapped in the filters' Mono pipelines and exchange
 * attributes, and what the filters around them (access log, request id, rate limit, identity
 * headers, ...) add. The upstream answers at once: nothing here leaves the calling thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FilterChainBenchmark {

    private static final HttpMethod METHOD = HttpMethod.GET;
    private static final URI GET_URI = URI.create("http://api.powerpost.ai" + Fixture.GET_PATH);

    /** What the upstream call leaves behind (UpstreamCallFilter's start time), then an answer committing the response. */
    private static final GatewayFilterChain UPSTREAM = exchange -> {
        RequestState.of(exchange).upstreamStarted(System.nanoTime());
        return exchange.getResponse().setComplete();
    };

    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class Chains {
        /** Route resolution, authentication, scope, workspace; ends where the next filter would start. */
        GatewayFilterChain checks;
        /** Every filter of ours before the upstream call, in their order. */
        GatewayFilterChain all;

        GatewayFilterChain accessLogOnly;
        GatewayFilterChain upstreamOnly;
        /** One exchange, reused by {@code checks}: those four filters register nothing on the response. */
        ServerWebExchange reused;

        io.netty.handler.codec.http.HttpHeaders headers;
        RouteMatch match;
        KeyRecord key;

        @Setup
        public void setUp(Fixture f) throws IOException {
            RouteTable table = Fixture.routesWithoutLimits();
            RouteTableHolder holder = new RouteTableHolder(table);
            MeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            TrustedProxies proxies = new TrustedProxies(List.of());
            headers = f.nettyHeaders;
            Check route = AccessBenchAccess.routeResolutionFilter(holder);
            Check auth = AccessBenchAccess.authFilter(f.store);
            Check scope = AccessBenchAccess.scopeAuthorizationFilter();
            Check workspace = AccessBenchAccess.workspaceFilter(f.store);
            AccessLogCheck accessLog = new AccessLogCheck(new GatewayMeters(meters));

            checks = Exchanges.pass(List.of(route, auth, scope, workspace), exchange -> Mono.empty());
            all = Exchanges.pass(
                    List.of(
                            accessLog,
                            WebBenchAccess.requestIdFilter(proxies),
                            new RequestHygieneCheck(),
                            route,
                            auth,
                            scope,
                            workspace,
                            ProxyBenchAccess.bodyLimitFilter(),
                            new RateLimitBenchAccess(meters)
                                    .filter(table.rateLimits().values(), meters),
                            UsageBenchAccess.usageRecordingFilter(meters),
                            WebBenchAccess.upstreamRequestTarget()),
                    UPSTREAM);
            accessLogOnly = Exchanges.pass(List.of(accessLog), UPSTREAM);
            upstreamOnly = Exchanges.pass(List.of(), UPSTREAM);
            reused = Exchanges.exchange(METHOD, GET_URI, headers, Fixture.CLIENT);

            // The request must pass every check, or the benchmarks would measure a denial.
            this.match = table.match(METHOD.name(), Fixture.GET_PATH);
            this.key = f.key;
            allowed(checks, reused);
            reset(reused);
            allowed(all, Exchanges.exchange(METHOD, GET_URI, headers, Fixture.CLIENT));
        }

        private static void allowed(GatewayFilterChain chain, ServerWebExchange exchange) {
            Sync.value(chain.filter(exchange));
            Object denial = RequestState.of(exchange).denial();
            if (denial != null || RequestState.of(exchange).key() == null) {
                throw new IllegalStateException("the benchmark request was not allowed: " + denial);
            }
        }
    }

    /** Forgets what the checks put on the exchange, so the next run resolves and authenticates again. */
    private static Object reset(ServerWebExchange exchange) {
        return PipelineBenchAccess.forget(exchange);
    }

    /** RouteResolutionCheck → ApiKeyCheck → ScopeCheck → WorkspaceCheck, on one exchange. */
    @Benchmark
    public Object checks(Chains c) {
        Sync.value(c.checks.filter(c.reused));
        return reset(c.reused);
    }

    /** Baseline of the two below: a new exchange (WebFlux's cost, not ours) carrying what the filters put on it, committed. */
    @Benchmark
    public ServerWebExchange exchangeBaseline(Chains c) {
        ServerWebExchange exchange = passed(c);
        Sync.value(c.upstreamOnly.filter(exchange));
        return exchange;
    }

    /** The baseline through AccessLogCheck: the request metrics and the JSON access-log line, at commit. */
    @Benchmark
    public ServerWebExchange accessLog(Chains c) {
        ServerWebExchange exchange = passed(c);
        Sync.value(c.accessLogOnly.filter(exchange));
        return exchange;
    }

    /**
     * A new exchange through every filter of ours before the upstream call: access log, request id,
     * hygiene, route, key, scope, workspace, body limit, rate limit, usage, upstream target.
     */
    @Benchmark
    public ServerWebExchange allFilters(Chains c) {
        ServerWebExchange exchange = Exchanges.exchange(METHOD, GET_URI, c.headers, Fixture.CLIENT);
        Sync.value(c.all.filter(exchange));
        return exchange;
    }

    /** A new exchange holding the attributes an allowed request has by the time its response commits. */
    private static ServerWebExchange passed(Chains c) {
        ServerWebExchange exchange = Exchanges.exchange(METHOD, GET_URI, c.headers, Fixture.CLIENT);
        RequestState state = RequestState.of(exchange);
        state.route(c.match);
        state.identify(
                "3f9c2a7d51e84b06a9d1c0e2f4b7a815", Fixture.CLIENT.getAddress().getHostAddress());
        state.authenticated(c.key);
        return exchange;
    }
}
