package ai.powerpost.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableParser;
import ai.powerpost.gateway.support.OneCheck;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.test.StepVerifier;

class KeyModeCheckTest {

    private static final RouteTable TABLE = new RouteTableParser("test routes", name -> null)
            .parse(new ByteArrayInputStream("""
                    upstreams:
                      with-sandbox:
                        uri: http://live:8080
                        sandbox-uri: http://sandbox:8080
                      without-sandbox:
                        uri: http://live:8080
                    routes:
                      - { id: sandboxed, method: GET, path: /s, scope: account:read, workspace: false, upstream: with-sandbox }
                      - { id: live-only, method: GET, path: /l, scope: account:read, workspace: false, upstream: without-sandbox }
                    """.getBytes(StandardCharsets.UTF_8)));

    private final KeyModeCheck filter = new KeyModeCheck();
    private final AtomicInteger passed = new AtomicInteger();
    private final GatewayFilterChain chain = exchange -> {
        passed.incrementAndGet();
        return exchange.getResponse().setComplete();
    };

    private MockServerWebExchange run(String path, KeyMode mode) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(path));
        RequestState.of(exchange).route(TABLE.match("GET", path));
        RequestState.of(exchange)
                .authenticated(new KeyRecord(
                        "0".repeat(64), "key_1", "acct_1", Scope.READ_ONLY, mode, KeyRecord.NEVER, "key_1"));
        StepVerifier.create(OneCheck.run(filter, exchange, chain)).verifyComplete();
        return exchange;
    }

    @Test
    void aTestKeyOnAnUpstreamWithoutSandboxIs403AndGoesNoFurther() {
        MockServerWebExchange exchange = run("/l", KeyMode.TEST);

        assertThat(passed).hasValue(0);
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(RequestState.of(exchange).denial()).isEqualTo(ApiError.TEST_KEY_NO_SANDBOX);
        StepVerifier.create(exchange.getResponse().getBodyAsString())
                .expectNext("{\"error\":{\"code\":\"FORBIDDEN\",\"message\":"
                        + "\"Test keys cannot be used on this route: its upstream has no sandbox\"}}")
                .verifyComplete();
    }

    @Test
    void aTestKeyOnAnUpstreamWithASandboxPasses() {
        run("/s", KeyMode.TEST);

        assertThat(passed).hasValue(1);
    }

    @Test
    void aLiveKeyPassesWithOrWithoutASandbox() {
        run("/s", KeyMode.LIVE);
        run("/l", KeyMode.LIVE);

        assertThat(passed).hasValue(2);
    }
}
