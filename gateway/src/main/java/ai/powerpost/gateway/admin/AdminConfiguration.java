package ai.powerpost.gateway.admin;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * What every capability of the management API shares, in the main context: the audit trail and
 * the change unit. The routes are mounted in the management context
 * ({@link AdminManagementContextConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

    @Bean
    AuditStore auditStore(ReactiveStringRedisTemplate redis, AuditProperties properties) {
        return new AuditStore(redis, properties.retention(), Drbg.create());
    }

    @Bean
    Changes changes(AuditStore audit) {
        return new Changes(audit);
    }
}
