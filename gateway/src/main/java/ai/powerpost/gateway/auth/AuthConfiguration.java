package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import ai.powerpost.gateway.web.TrustedProxies;
import io.lettuce.core.resource.ClientResources;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** Wires the auth package: the key store with its cache, its invalidation listener, the filter. */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

    @Bean
    CachingKeyStore apiKeyStore(ReactiveStringRedisTemplate redis, KeyCacheProperties properties) {
        return new CachingKeyStore(new RedisKeyReader(redis, properties.lookupTimeout()), properties, Ticker.systemTicker());
    }

    @Bean
    KeyInvalidationListener keyInvalidationListener(ApiKeyStore store, ReactiveRedisConnectionFactory connectionFactory,
                                                    ClientResources clientResources) {
        return new KeyInvalidationListener(store, connectionFactory, clientResources);
    }

    @Bean
    ApiKeyAuthFilter apiKeyAuthFilter(ApiKeyStore store, TrustedProxies proxies, AuthProperties properties) {
        return new ApiKeyAuthFilter(store, new BruteForceGuard(properties, Ticker.systemTicker()), proxies, properties);
    }
}
