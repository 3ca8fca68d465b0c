package ai.powerpost.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import java.util.ArrayList;
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
 * {@link Stage}'s declaration, in its order, and then Spring Cloud Gateway's own.
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
    void theStagesRunInTheOrderDeclared() {
        List<Stage> running = sorted().stream()
                .filter(StageFilter.class::isInstance)
                .map(f -> ((StageFilter) f).stage())
                .toList();
        assertThat(running).containsExactly(expected());
    }

    @Test
    void everyStageRunsBeforeTheUpstreamUrlIsBuiltAndNothingElseRunsBetweenThem() {
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (GlobalFilter filter : sorted()) {
            int order = ((Ordered) filter).getOrder();
            (order < RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER ? before : after).add(name(filter));
        }
        assertThat(before)
                .containsExactly(
                        java.util.Arrays.stream(expected()).map(Stage::name).toArray(String[]::new));
        assertThat(after).first().isEqualTo(RouteToRequestUrlFilter.class.getSimpleName());
        assertThat(after).contains(NettyRoutingFilter.class.getSimpleName());
    }

    /** Every stage, but tracing's: this gateway runs with tracing off, as by default (TracingIT has it on). */
    private static Stage[] expected() {
        return java.util.Arrays.stream(Stage.values())
                .filter(stage -> !stage.optional())
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
