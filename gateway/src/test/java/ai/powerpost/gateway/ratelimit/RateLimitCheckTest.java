package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableParser;
import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.support.OneCheck;
import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.test.StepVerifier;

/** The filter alone, on mock exchanges: headers, the 429, and routes without a class. */
class RateLimitCheckTest {

    private static final long T0 = 1_699_999_980_000L;
    private static final String ROUTES = """
            rate-limits:
              default: { requests: 2, per: 60s }
            upstreams:
              powerpost:
                uri: http://127.0.0.1:9
            routes:
              - id: account-credits
                method: GET
                path: /api/v1/account/credits
                scope: account:read
                workspace: false
                upstream: powerpost
              - id: post-get
                rate-limit: none
                method: GET
                path: /api/v1/posts/{id}
                scope: posts:read
                workspace: false
                upstream: powerpost
            """;

    private final RouteTable table = new RouteTableParser("test routes", name -> null)
            .parse(new ByteArrayInputStream(ROUTES.getBytes(StandardCharsets.UTF_8)));
    private final FakeClock clock = new FakeClock(T0 + 15_000);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RateLimitProperties properties = new RateLimitProperties(Duration.ofMillis(100), 16, 500, 1000);
    private final RateLimitCheck filter = new RateLimitCheck(
            new LocalRateLimiter(properties, clock, clock, meters),
            table.rateLimits().values(),
            properties,
            meters);
    private final AtomicInteger upstreamCalls = new AtomicInteger();

    /** Plays the upstream: its own X-RateLimit-* copies are added to the response, as SCG's routing filter does. */
    private final GatewayFilterChain upstream = exchange -> {
        upstreamCalls.incrementAndGet();
        exchange.getResponse().getHeaders().add("X-RateLimit-Limit", "5000");
        exchange.getResponse().getHeaders().add("X-RateLimit-Remaining", "4999");
        exchange.getResponse().getHeaders().add("X-RateLimit-Reset", "1");
        return exchange.getResponse().setComplete();
    };

    private MockServerWebExchange exchange(String path) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(path));
        RequestState.of(exchange).route(table.match("GET", path));
        RequestState.of(exchange)
                .authenticated(new KeyRecord("0".repeat(64), "key_test", "acct_test", Scope.READ_ONLY));
        return exchange;
    }

    private MockServerWebExchange run(String path) {
        MockServerWebExchange exchange = exchange(path);
        StepVerifier.create(OneCheck.run(filter, exchange, upstream)).verifyComplete();
        return exchange;
    }

    @Test
    void admittedResponsesCarryTheGatewaysHeadersOverTheUpstreams() {
        MockServerWebExchange exchange = run("/api/v1/account/credits");
        assertThat(upstreamCalls).hasValue(1);
        assertThat(exchange.getResponse().getHeaders().get("X-RateLimit-Limit")).containsExactly("2");
        assertThat(exchange.getResponse().getHeaders().get("X-RateLimit-Remaining"))
                .containsExactly("1");
        assertThat(exchange.getResponse().getHeaders().get("X-RateLimit-Reset"))
                .containsExactly(Long.toString(T0 / 1000 + 60));
    }

    @Test
    void overTheLimitIs429WithRetryAfterAndTheUpstreamIsNotCalled() {
        run("/api/v1/account/credits");
        run("/api/v1/account/credits");
        MockServerWebExchange refused = run("/api/v1/account/credits");
        assertThat(upstreamCalls).hasValue(2);
        assertThat(refused.getResponse().getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(refused.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("45");
        assertThat(refused.getResponse().getHeaders().get("X-RateLimit-Limit")).containsExactly("2");
        assertThat(refused.getResponse().getHeaders().get("X-RateLimit-Remaining"))
                .containsExactly("0");
        assertThat(refused.getResponse().getHeaders().get("X-RateLimit-Reset"))
                .containsExactly(Long.toString(T0 / 1000 + 60));
        assertThat(refused.getResponse().getBodyAsString().block(Duration.ofSeconds(5)))
                .isEqualTo(
                        "{\"error\":{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":\"Rate limit exceeded\",\"retryAfter\":45}}");
        assertThat(meters.counter(RateLimitMeters.REJECTED, RateLimitMeters.CLASS_TAG, "default")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void routesWithoutAClassAreNeitherLimitedNorLabelled() {
        for (int i = 0; i < 5; i++) {
            MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/posts/p1"));
            RequestState.of(exchange).route(table.match("GET", "/api/v1/posts/p1"));
            RequestState.of(exchange)
                    .authenticated(new KeyRecord("0".repeat(64), "key_test", "acct_test", Scope.READ_ONLY));
            StepVerifier.create(OneCheck.run(
                            filter, exchange, ex -> ex.getResponse().setComplete()))
                    .verifyComplete();
            assertThat(exchange.getResponse().getStatusCode()).isNotEqualTo(HttpStatus.TOO_MANY_REQUESTS);
            assertThat(exchange.getResponse().getHeaders().containsHeader("X-RateLimit-Limit"))
                    .isFalse();
        }
    }

    @Test
    void aRequestWithoutIdentityIsRefusedNeverCountedAndTheMisplacedStageLogged() {
        MockServerWebExchange exchange =
                MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/account/credits"));
        RequestState.of(exchange).route(table.match("GET", "/api/v1/account/credits"));
        try (ExpectedLogs logged = ExpectedLogs.expect(RouteCheck.class, Level.ERROR)) {
            StepVerifier.create(OneCheck.run(filter, exchange, upstream)).verifyComplete();
            assertThat(logged.messages()).containsExactly("RATE_LIMIT reached without a key: refused");
        }
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(upstreamCalls).hasValue(0);
    }

    @Test
    void runsAfterTheChecksAndBeforeUsageAndNamesItsConfig() {
        assertThat(filter.stage()).isEqualTo(Stage.RATE_LIMIT);
        assertThat(filter.stage().order())
                .isGreaterThan(Stage.WORKSPACE.order())
                .isLessThan(Stage.RECORD_USAGE.order());
        assertThat(filter.toString())
                .isEqualTo("RateLimitCheck[classes={default 2/60s}, syncInterval=100ms, shards=16, maxKeys=1000]");
    }
}
