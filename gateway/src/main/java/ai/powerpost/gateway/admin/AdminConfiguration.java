package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.auth.ApiKeyStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** The key management service lives in the main context; its HTTP API in the management one. */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

    @Bean
    KeyAdminService keyAdminService(ReactiveStringRedisTemplate redis, ApiKeyStore store, AdminProperties properties) {
        return new KeyAdminService(redis, store, properties);
    }
}
