package ai.powerpost.gateway.auth;

import java.time.Duration;

import ai.powerpost.gateway.redis.RedisSchema;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.util.retry.Retry;

/**
 * Keeps this replica's key cache in step with Redis. Writers (the key management API of any
 * replica) publish on {@link RedisSchema#INVALIDATION_CHANNEL}; each message names a key hash or
 * an account, and the entry is evicted here. Messages published while this replica is cut off
 * from Redis are lost, so every (re)connection of the Redis client drops the whole cache: after a
 * reconnect nothing cached before it is trusted. The cache's max age bounds whatever else could
 * slip through.
 */
final class KeyInvalidationListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KeyInvalidationListener.class);

    private final ApiKeyStore store;
    private final ReactiveRedisConnectionFactory connectionFactory;
    private final ClientResources clientResources;
    private final Disposable.Composite subscriptions = Disposables.composite();
    private volatile ReactiveRedisMessageListenerContainer container;
    private volatile boolean running;

    private final MeterRegistry meters;

    KeyInvalidationListener(ApiKeyStore store, ReactiveRedisConnectionFactory connectionFactory,
                            ClientResources clientResources, MeterRegistry meters) {
        this.store = store;
        this.connectionFactory = connectionFactory;
        this.clientResources = clientResources;
        this.meters = meters;
    }

    /** Counts invalidations by type (key, workspaces, all): {@code gateway.keys.invalidations}. */
    private void count(String type) {
        meters.counter("gateway.keys.invalidations", "type", type).increment();
    }

    @Override
    public void start() {
        subscriptions.add(clientResources.eventBus().get()
                .filter(ConnectionActivatedEvent.class::isInstance)
                .subscribe(event -> {
                    log.info("Redis connection (re)established: dropping the local key cache");
                    store.invalidateAll();
                    count("all");
                }));
        container = new ReactiveRedisMessageListenerContainer(connectionFactory);
        subscriptions.add(container.receive(ChannelTopic.of(RedisSchema.INVALIDATION_CHANNEL))
                .doOnSubscribe(s -> store.invalidateAll())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2))
                        .doBeforeRetry(signal -> log.warn("invalidation subscription lost ({}); resubscribing",
                                signal.failure().getClass().getSimpleName())))
                .subscribe(message -> apply(message.getMessage())));
        running = true;
    }

    void apply(String message) {
        if (message.startsWith(RedisSchema.KEY_MESSAGE)) {
            store.invalidateKey(message.substring(RedisSchema.KEY_MESSAGE.length()));
            count("key");
        } else if (message.startsWith(RedisSchema.WORKSPACES_MESSAGE)) {
            store.invalidateWorkspaces(message.substring(RedisSchema.WORKSPACES_MESSAGE.length()));
            count("workspaces");
        } else {
            log.warn("ignoring an invalidation message of unknown form");
        }
    }

    @Override
    public void stop() {
        subscriptions.dispose();
        ReactiveRedisMessageListenerContainer current = container;
        if (current != null) {
            current.destroyLater().subscribe();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (so no request finds the cache deaf) and before the Redis client. */
    @Override
    public int getPhase() {
        return 1000;
    }
}
