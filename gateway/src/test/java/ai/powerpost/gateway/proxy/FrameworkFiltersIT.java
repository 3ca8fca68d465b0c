package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.powerpost.gateway.routing.RouteTableException;
import ai.powerpost.gateway.routing.RouteTableParser;
import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RawHttp;
import ai.powerpost.gateway.support.RecordingUpstream.Received;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.WeightCalculatorWebFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationContext;

/**
 * Each global filter of Spring Cloud Gateway that the gateway switches off (application.yml;
 * {@code PipelineOrderIT} checks none is running) is off because its case cannot occur here, and
 * each test below shows the case cannot occur, on the running gateway, with raw sockets and the
 * upstream's record:
 * <ul>
 * <li>websocket routing: an upgrade is refused before any route could route it;</li>
 * <li>forwarding ({@code forward:}) and load balancing ({@code lb:}, including the
 *     {@code NoLoadBalancerClientFilter} whose auto-configuration is excluded): no upstream URI
 *     can have those schemes, routes.yml and the environment overrides alike;</li>
 * <li>the weight predicate's web filter: no route has a weight;</li>
 * <li>cached bodies and the local response cache: they act only for route filters or predicates
 *     that read the body or cache answers, and no route of the gateway has a filter;</li>
 * <li>the route-to-URL filter: replaced by the upstream call's own URL (one place,
 *     {@code UpstreamCalls.Call#url}), which sends the path and query byte for byte.</li>
 * </ul>
 */
@GatewayIntegrationTest
class FrameworkFiltersIT extends GatewayTestBase {

    @Autowired
    RouteLocator routes;

    @Autowired
    ApplicationContext context;

    private static String marker() {
        return unique("fw");
    }

    private static List<Received> received(String marker) {
        return UPSTREAM.all().stream().filter(r -> r.uri().contains(marker)).toList();
    }

    private static RawHttp.Builder authed(String method, String target, Tenant tenant) {
        return RawHttp.request(method, target)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId());
    }

    @Test
    void aWebsocketUpgradeIsRefusedBeforeAnyRouteCouldRouteIt() {
        Tenant tenant = tenant("full_access");
        String m = marker();
        RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                .header("Connection", "Upgrade")
                .header("Upgrade", "websocket")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("Sec-WebSocket-Version", "13")
                .send(port);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":\"VALIDATION_ERROR\"");
        assertThat(response.header("Upgrade")).isNull();
        assertThat(received(m)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"forward:/admin", "lb://powerpost", "ws://backend:8080", "wss://backend"})
    void noUpstreamCanBeForwardedLoadBalancedOrAWebsocket(String uri) {
        String yaml = """
                upstreams:
                  powerpost:
                    uri: %s
                routes:
                  - { id: r, method: GET, path: /r, scope: account:read, workspace: false, upstream: powerpost }
                """.formatted(uri);
        assertThatThrownBy(() -> new RouteTableParser("routes.yml", name -> null)
                        .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(RouteTableException.class)
                .hasMessageContaining("must be http(s)://host[:port]");
        String ok = yaml.replace(uri, "http://backend:8080");
        assertThatThrownBy(() -> new RouteTableParser(
                                "routes.yml", name -> name.equals("GATEWAY_UPSTREAM_POWERPOST") ? uri : null)
                        .parse(new ByteArrayInputStream(ok.getBytes(StandardCharsets.UTF_8))))
                .as("the environment's override is held to the same rule")
                .isInstanceOf(RouteTableException.class);
    }

    /** The weight predicate's web filter computes weight groups on every request; no route has a weight. */
    @Test
    void noWebFilterOfTheFrameworkRunsForRoutesItDoesNotHave() {
        assertThat(context.getBeansOfType(WeightCalculatorWebFilter.class)).isEmpty();
        assertThat(context.getBeansOfType(GlobalFilter.class).values())
                .noneMatch(f -> f.getClass().getSimpleName().contains("LoadBalancer"));
    }

    @Test
    void noRouteHasAFilterSoNothingCachesABodyOrAnAnswer() {
        List<Route> all = routes.getRoutes().collectList().block();
        assertThat(all).isNotEmpty();
        assertThat(all)
                .allSatisfy(route ->
                        assertThat(route.getFilters()).as(route.getId()).isEmpty());
    }

    /** What the route-to-URL filter did, the upstream call does: the path and raw query, byte for byte. */
    @Test
    void theUpstreamGetsThePathAndTheRawQueryByteForByte() {
        Tenant tenant = tenant("full_access");
        String m = marker();
        String target = "/api/v1/posts/" + m + "?a=1&b=%2F%20x&c=%C3%A9&d=&e";
        RawHttp.Response response = authed("GET", target, tenant).send(port);

        assertThat(response.status()).as("%s", response).isEqualTo(200);
        assertThat(received(m))
                .singleElement()
                .satisfies(r -> assertThat(r.uri()).isEqualTo(target));
    }
}
