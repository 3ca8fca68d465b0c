package ai.powerpost.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;

/**
 * The started gateway's global filters, sorted as Spring Cloud Gateway sorts them, are exactly
 * {@link Stage}'s filters, in its order, and then the Netty routing filter; its one {@link CheckPass} runs exactly {@link Stage}'s checks, in its order.
 */
@GatewayIntegrationTest
class PipelineOrderIT extends GatewayTestBase {

    @Autowired
    ApplicationContext context;

    private List<GlobalFilter> sorted() {
        List<GlobalFilter> filters =
                new ArrayList<>(context.getBeansOfType(GlobalFilter.class).values());
        AnnotationAwareOrderComparator.sort(filters);
        return filters;
    }

    @Test
    void theFiltersRunInTheOrderDeclared() {
        List<Stage> running = sorted().stream()
                .filter(StageFilter.class::isInstance)
                .map(f -> ((StageFilter) f).stage())
                .toList();
        assertThat(running).containsExactly(expected(Stage.Kind.FILTER));
    }

    @Test
    void theChecksRunInOnePassInTheOrderDeclared() {
        assertThat(context.getBean(CheckPass.class).stages()).containsExactly(expected(Stage.Kind.CHECK));
        assertThat(context.getBeansOfType(Check.class).values())
                .as("no check is a global filter of its own")
                .noneMatch(GlobalFilter.class::isInstance)
                .hasSize(expected(Stage.Kind.CHECK).length);
    }

    /**
     * Before the order at which Spring Cloud Gateway would build the upstream URL: the gateway's
     * three filters; after it, only the gateway's Netty routing filter. Every other global filter of
     * the framework is switched off: forwarding, websockets, load balancing, cached bodies and the
     * response cache because their case cannot occur here ({@code FrameworkFiltersIT} shows each),
     * and {@link RouteToRequestUrlFilter} because the upstream call makes the URL itself.
     */
    @Test
    void theGatewaysFiltersRunFirstAndOnlyTheRoutingFollows() {
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (GlobalFilter filter : sorted()) {
            int order = ((Ordered) filter).getOrder();
            (order < RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER ? before : after).add(name(filter));
        }
        assertThat(before)
                .containsExactly(Arrays.stream(expected(Stage.Kind.FILTER))
                        .map(Stage::name)
                        .toArray(String[]::new));
        assertThat(after).containsExactly(NettyRoutingFilter.class.getSimpleName());
    }

    /** Every stage of the kind, but tracing's: this gateway runs with tracing off, as by default (TracingIT has it on). */
    private static Stage[] expected(Stage.Kind kind) {
        return Arrays.stream(Stage.values())
                .filter(stage -> !stage.optional() && (stage.isCheck() == (kind == Stage.Kind.CHECK)))
                .toArray(Stage[]::new);
    }

    @Test
    void ordersAscendInDeclarationOrder() {
        Stage[] stages = Stage.values();
        for (int i = 1; i < stages.length; i++) {
            assertThat(stages[i].order())
                    .as("%s after %s", stages[i], stages[i - 1])
                    .isGreaterThan(stages[i - 1].order());
        }
        assertThat(stages[0]).isEqualTo(Stage.CHECKS);
        assertThat(stages[stages.length - 1].order()).isLessThan(RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER);
    }

    private static String name(GlobalFilter filter) {
        if (filter instanceof StageFilter stage) {
            return stage.stage().name();
        }
        return filter instanceof NettyRoutingFilter
                ? NettyRoutingFilter.class.getSimpleName()
                : filter.getClass().getSimpleName();
    }
}
