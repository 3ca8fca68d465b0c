package ai.powerpost.gateway.auth;

import ai.powerpost.gateway.redis.RedisPrimaryChanged;
import ai.powerpost.gateway.redis.RedisSchema;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Keeps this replica's key cache in step with Redis. Writers (the key management API of any
 * replica) publish on {@link RedisSchema#INVALIDATION_CHANNEL}; each message names a key hash or
 * an account, and the entry is evicted here. Messages published while the subscription is down
 * are lost, so every time the subscription is confirmed by Redis (the first time, and again after
 * every reconnect, when Lettuce re-subscribes) the whole cache is dropped: nothing cached before it
 * is trusted. Only this subscription counts: other connections of the client (in a Redis Cluster,
 * one per node, opened lazily, and the topology refresh's) never empty the cache. The cache's max
 * age bounds whatever else could slip through.
 *
 * <p>It keeps the {@link UntaggedKeys} filter current the same way: a {@code legacy <sha256>}
 * message adds a hash; losing the subscription makes the filter not ready (every untagged key is
 * looked up), and every confirmed (re)subscription rebuilds it from Redis. Start-up waits (on the
 * main thread, for at most {@link #FIRST_BUILD_WAIT}) for the first build, so the web server
 * starts with the filter in place.
 *
 * <p>In Sentinel mode the subscription moves to a newly promoted primary the moment the sentinels
 * announce it ({@link RedisPrimaryChanged}): a stalled old primary keeps its connections open and
 * would deliver nothing the writers publish on the new one.
 */
final class KeyInvalidationListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KeyInvalidationListener.class);
    static final Duration FIRST_BUILD_WAIT = Duration.ofSeconds(30);

    private final ApiKeyStore store;
    private final UntaggedKeys untagged;
    private final LettuceConnectionFactory connectionFactory;
    private volatile Disposable connecting;
    private volatile StatefulRedisPubSubConnection<String, String> connection;
    private volatile boolean running;
    /** Which connection attempt is current; a superseded one closes what it opened. */
    private final AtomicLong generation = new AtomicLong();

    private final MeterRegistry meters;

    KeyInvalidationListener(
            ApiKeyStore store,
            UntaggedKeys untagged,
            LettuceConnectionFactory connectionFactory,
            MeterRegistry meters) {
        this.store = store;
        this.untagged = untagged;
        this.connectionFactory = connectionFactory;
        this.meters = meters;
    }

    /** Counts invalidations by type (key, workspaces, untagged, all): {@code gateway.keys.invalidations}. */
    private void count(String type) {
        io.micrometer.core.instrument.Counter.builder("gateway.keys.invalidations")
                .description(
                        "Key cache invalidations applied: one key, one account's workspaces, or all after a (re)subscription")
                .tag("type", type)
                .register(meters)
                .increment();
    }

    @Override
    public void start() {
        connect();
        running = true;
        if (!untagged.awaitFirstBuild(FIRST_BUILD_WAIT)) {
            log.warn("untagged-key filter not built yet: until it is, every key without a valid tag is looked up");
        }
    }

    /**
     * Closes the subscription and opens a new one, which Lettuce resolves through the sentinels
     * to the promoted primary; its confirmation revalidates the cache, as after any reconnect.
     */
    @EventListener
    public synchronized void primaryChanged(RedisPrimaryChanged event) {
        if (!running) {
            return;
        }
        log.info("invalidation subscription moving to the promoted primary {}", event.address());
        Disposable pending = connecting;
        if (pending != null) {
            pending.dispose();
        }
        StatefulRedisPubSubConnection<String, String> current = connection;
        connection = null;
        if (current != null) {
            current.closeAsync();
        }
        untagged.subscriptionLost();
        connect();
    }

    private synchronized void connect() {
        long attempt = generation.incrementAndGet();
        connecting = Mono.fromCallable(() -> subscribe(attempt))
                .subscribeOn(Schedulers.boundedElastic())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                        .maxBackoff(Duration.ofSeconds(2))
                        .doBeforeRetry(signal -> log.warn(
                                "invalidation subscription failed ({}); retrying",
                                signal.failure().getClass().getSimpleName())))
                .subscribe(subscribed -> connection = subscribed);
    }

    private StatefulRedisPubSubConnection<String, String> subscribe(long attempt) {
        AbstractRedisClient client = connectionFactory.getRequiredNativeClient();
        StatefulRedisPubSubConnection<String, String> pubSub = client instanceof RedisClusterClient cluster
                ? cluster.connectPubSub(StringCodec.UTF8)
                : ((RedisClient) client).connectPubSub(StringCodec.UTF8);
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void subscribed(String channel, long count) {
                log.info(
                        "invalidation subscription (re)established: every cached key is re-read before it is trusted again");
                store.revalidateAll();
                untagged.subscribed();
                count("all");
            }

            @Override
            public void message(String channel, String message) {
                apply(message);
            }
        });
        pubSub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                // announcements may be missed from now until the rebuild after the re-subscription
                untagged.subscriptionLost();
            }
        });
        try {
            pubSub.sync().subscribe(RedisSchema.INVALIDATION_CHANNEL);
            if (attempt != generation.get()) {
                // superseded while it connected (a promotion, or stop): its result is never taken
                pubSub.closeAsync();
            }
            return pubSub;
        } catch (RuntimeException e) {
            pubSub.closeAsync();
            throw e;
        }
    }

    void apply(String message) {
        if (message.startsWith(RedisSchema.KEY_MESSAGE)) {
            store.invalidateKey(message.substring(RedisSchema.KEY_MESSAGE.length()));
            count("key");
        } else if (message.startsWith(RedisSchema.UNTAGGED_MESSAGE)) {
            untagged.add(message.substring(RedisSchema.UNTAGGED_MESSAGE.length()));
            count("untagged");
        } else if (message.startsWith(RedisSchema.WORKSPACES_MESSAGE)) {
            store.invalidateWorkspaces(message.substring(RedisSchema.WORKSPACES_MESSAGE.length()));
            count("workspaces");
        } else {
            log.warn("ignoring an invalidation message of unknown form");
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        generation.incrementAndGet();
        Disposable pending = connecting;
        if (pending != null) {
            pending.dispose();
        }
        StatefulRedisPubSubConnection<String, String> current = connection;
        if (current != null) {
            current.closeAsync();
        }
        untagged.stop();
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
