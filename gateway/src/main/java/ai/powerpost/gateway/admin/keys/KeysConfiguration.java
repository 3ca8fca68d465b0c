package ai.powerpost.gateway.admin.keys;

import ai.powerpost.gateway.admin.AdminProperties;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.Drbg;
import ai.powerpost.gateway.admin.MintingSecretRequiredException;
import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.KeyTags;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.Disposable;
import reactor.core.Disposables;

/** An account's keys and workspaces: their store and their routes (mounted on the management port). */
@Configuration(proxyBeanMethods = false)
class KeysConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KeysConfiguration.class);

    @Bean
    KeysStore keysStore(
            ReactiveStringRedisTemplate redis, ApiKeyStore store, KeyTags tags, AdminProperties properties) {
        if (properties.enabled() && !tags.canMint()) {
            // The API makes keys, and every key it makes is tagged: it cannot run without a minting secret.
            throw new MintingSecretRequiredException();
        }
        return new KeysStore(
                redis,
                store,
                tags,
                properties.maxKeysPerAccount(),
                properties.expiredKeyRetention(),
                Drbg.create(),
                Clock.systemUTC());
    }

    /**
     * Indexes the keys that predate the key-id index, once, in the background after start-up
     * (fail-open: a failure is logged, and the next start tries again).
     */
    @Bean
    SmartLifecycle keyIdIndexing(KeysStore store, AdminProperties properties) {
        return new SmartLifecycle() {
            private volatile @Nullable Disposable running;

            @Override
            public void start() {
                if (!properties.enabled()) {
                    running = Disposables.disposed();
                    return;
                }
                running = store.indexExistingKeyIds()
                        .subscribe(
                                added -> {
                                    if (added > 0) {
                                        log.info("key-id index: {} keys created before it indexed", added);
                                    }
                                },
                                e -> log.warn(
                                        "key-id index: indexing existing keys failed ({}); the next start tries again",
                                        e.getClass().getSimpleName()));
            }

            @Override
            public void stop() {
                Disposable current = running;
                if (current != null) {
                    current.dispose();
                }
                running = null;
            }

            @Override
            public boolean isRunning() {
                return running != null;
            }
        };
    }

    @Bean
    KeysHandler keysHandler(KeysStore store, Changes changes, AdminProperties properties) {
        return new KeysHandler(store, changes, properties.maxKeyLifetime());
    }
}
