package ai.powerpost.gateway.admin.usage;

import ai.powerpost.gateway.usage.UsageQueries;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The usage and anomalies routes (the counts and findings themselves are the usage package's). */
@Configuration(proxyBeanMethods = false)
class UsageAdminConfiguration {

    @Bean
    UsageHandler usageHandler(UsageQueries usage) {
        return new UsageHandler(usage, Clock.systemUTC());
    }
}
