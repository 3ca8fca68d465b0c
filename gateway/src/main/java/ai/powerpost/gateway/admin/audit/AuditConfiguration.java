package ai.powerpost.gateway.admin.audit;

import ai.powerpost.gateway.admin.AuditStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The audit trail's query route (the trail itself is written by the change unit, admin.Changes). */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    @Bean
    AuditHandler auditHandler(AuditStore audit) {
        return new AuditHandler(audit);
    }
}
