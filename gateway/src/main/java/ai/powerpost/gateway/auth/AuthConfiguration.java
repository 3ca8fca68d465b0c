package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** Wires the auth package: the key store with its cache, its invalidation listener, the filter. */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

    @Bean
    CachingKeyStore apiKeyStore(
            ReactiveStringRedisTemplate redis, KeyCacheProperties properties, MeterRegistry meters) {
        CachingKeyStore store = new CachingKeyStore(
                new RedisKeyReader(redis, properties.lookupTimeout(), meters), properties, Ticker.systemTicker());
        // gateway_keys_cache_* / gateway_workspaces_cache_*: hits, misses, evictions, size
        CaffeineCacheMetrics.monitor(meters, store.keyCache(), "gateway.keys");
        CaffeineCacheMetrics.monitor(meters, store.workspaceCache(), "gateway.workspaces");
        return store;
    }

    @Bean
    KeyInvalidationListener keyInvalidationListener(
            ApiKeyStore store, LettuceConnectionFactory connectionFactory, MeterRegistry meters) {
        return new KeyInvalidationListener(store, connectionFactory, meters);
    }
}
