package ai.powerpost.gateway.admin.keys;

import ai.powerpost.gateway.admin.AdminProperties;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.Drbg;
import ai.powerpost.gateway.admin.MintingSecretRequiredException;
import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.KeyTags;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** An account's keys and workspaces: their store and their routes (mounted on the management port). */
@Configuration(proxyBeanMethods = false)
class KeysConfiguration {

    @Bean
    KeysStore keysStore(
            ReactiveStringRedisTemplate redis, ApiKeyStore store, KeyTags tags, AdminProperties properties) {
        if (properties.enabled() && !tags.canMint()) {
            // The API makes keys, and every key it makes is tagged: it cannot run without a minting secret.
            throw new MintingSecretRequiredException();
        }
        return new KeysStore(redis, store, tags, properties.maxKeysPerAccount(), Drbg.create());
    }

    @Bean
    KeysHandler keysHandler(KeysStore store, Changes changes) {
        return new KeysHandler(store, changes);
    }
}
