package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.KeyTags;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** The key management service lives in the main context; its HTTP API in the management one. */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

    @Bean
    KeyAdminService keyAdminService(
            ReactiveStringRedisTemplate redis, ApiKeyStore store, KeyTags tags, AdminProperties properties) {
        if (properties.enabled() && !tags.canMint()) {
            // The API makes keys, and every key it makes is tagged: it cannot run without a minting secret.
            throw new MintingSecretRequiredException();
        }
        return new KeyAdminService(redis, store, tags, properties);
    }
}
