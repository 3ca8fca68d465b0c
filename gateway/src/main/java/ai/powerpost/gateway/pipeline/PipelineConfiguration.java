package ai.powerpost.gateway.pipeline;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one pass that runs every {@link Check} the packages declare, in {@link Stage} order. */
@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {

    @Bean
    CheckPass checkPass(ObjectProvider<Check> checks) {
        return new CheckPass(checks.stream().toList());
    }
}
