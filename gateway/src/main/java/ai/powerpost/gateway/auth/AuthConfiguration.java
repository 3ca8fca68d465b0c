package ai.powerpost.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Wires the auth package: the key store with its cache, the key tags, the untagged-key filter, and
 * the invalidation listener that keeps the last two current.
 */
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
    KeyTags keyTags(KeySecretsProperties properties) {
        return new KeyTags(properties);
    }

    @Bean
    UntaggedKeys untaggedKeys(
            ReactiveStringRedisTemplate redis, KeySecretsProperties secrets, KeyCacheProperties cache) {
        return new UntaggedKeys(
                redis, secrets.untaggedFilterCapacity(), cache.lookupTimeout().multipliedBy(30));
    }

    @Bean
    KeyInvalidationListener keyInvalidationListener(
            ApiKeyStore store,
            UntaggedKeys untagged,
            LettuceConnectionFactory connectionFactory,
            MeterRegistry meters) {
        return new KeyInvalidationListener(store, untagged, connectionFactory, meters);
    }
}
