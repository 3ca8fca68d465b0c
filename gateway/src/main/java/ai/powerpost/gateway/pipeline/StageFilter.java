package ai.powerpost.gateway.pipeline;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;

/**
 * A global filter of the gateway: one {@link Stage} of {@link Stage.Kind#FILTER kind filter}, whose place it takes. Every stage is declared
 * as a {@code @Bean} in its package's configuration, never as a {@code @Component}.
 */
public interface StageFilter extends GlobalFilter, Ordered {

    Stage stage();

    @Override
    default int getOrder() {
        return stage().order();
    }
}
