package ai.powerpost.gateway.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.NamedNode;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * In Sentinel mode, moves the gateway to a newly promoted primary the moment the sentinels
 * announce it ({@code +switch-master}): it re-opens the shared command connection, and then
 * publishes {@link RedisPrimaryChanged}, on which the invalidation subscription moves too.
 *
 * <p>Why: Lettuce asks the sentinels which node is the primary only when it (re)opens a connection.
 * A primary that was killed drops its connections, and they reconnect to the new one by themselves;
 * a primary that <em>stalled</em> keeps them open, and when it wakes, it goes on accepting writes
 * (a revocation) and delivering only what is published on it, until the sentinels demote it, about
 * ten seconds later; its writes are then lost when it resyncs from the new primary. (Lettuce's
 * Master/Replica connection, which listens to the same events, refreshes its topology five seconds
 * after the first one: too late for a primary that wakes sooner. It was tried.)
 *
 * <p>Each sentinel has its own subscription, since any one of them may be down; every sentinel
 * announces a promotion, and it is acted on once. Subscriptions are opened off the event loops
 * and retried; Lettuce re-subscribes after a reconnect by itself. When no sentinel can be heard,
 * the gateway is where it was without this: it follows the promotion when the old primary is
 * demoted and drops its connections.
 */
public final class SentinelPrimaryWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SentinelPrimaryWatcher.class);
    static final String SWITCH_MASTER = "+switch-master";

    private final LettuceConnectionFactory factory;
    private final ApplicationEventPublisher events;
    private final List<StatefulRedisPubSubConnection<String, String>> connections = new CopyOnWriteArrayList<>();
    private volatile Disposable.Composite connecting = Disposables.composite();
    private volatile @Nullable String lastAnnounced;
    private volatile boolean running;

    public SentinelPrimaryWatcher(LettuceConnectionFactory factory, ApplicationEventPublisher events) {
        this.factory = factory;
        this.events = events;
    }

    private RedisSentinelConfiguration sentinels() {
        return Objects.requireNonNull(factory.getSentinelConfiguration(), "Redis Sentinel mode");
    }

    @Override
    public void start() {
        connecting = Disposables.composite();
        for (RedisNode sentinel : sentinels().getSentinels()) {
            connecting.add(Mono.fromCallable(() -> subscribe(sentinel))
                    .subscribeOn(Schedulers.boundedElastic())
                    .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                            .maxBackoff(Duration.ofSeconds(5))
                            .doBeforeRetry(signal -> log.warn(
                                    "sentinel {} subscription failed ({}); retrying",
                                    sentinel.asString(),
                                    signal.failure().getClass().getSimpleName())))
                    .subscribe(connections::add));
        }
        running = true;
    }

    private StatefulRedisPubSubConnection<String, String> subscribe(RedisNode sentinel) {
        RedisURI.Builder uri = RedisURI.Builder.redis(
                        Objects.requireNonNull(sentinel.getHost()), Objects.requireNonNull(sentinel.getPort()))
                .withTimeout(Duration.ofSeconds(2));
        RedisPassword password = sentinels().getSentinelPassword();
        if (password.isPresent()) {
            String username = sentinels().getSentinelUsername();
            if (username != null) {
                uri.withAuthentication(username, password.get());
            } else {
                uri.withPassword(password.get());
            }
        }
        RedisClient client = (RedisClient) factory.getRequiredNativeClient();
        StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub(StringCodec.UTF8, uri.build());
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                switched(message);
            }
        });
        try {
            pubSub.sync().subscribe(SWITCH_MASTER);
            return pubSub;
        } catch (RuntimeException e) {
            pubSub.closeAsync();
            throw e;
        }
    }

    /** {@code <master name> <old ip> <old port> <new ip> <new port>}, from every sentinel. */
    void switched(String message) {
        String[] parts = message.split(" ");
        NamedNode configured = sentinels().getMaster();
        String master = configured == null ? null : configured.getName();
        if (parts.length != 5 || !parts[0].equals(master)) {
            return;
        }
        String address = parts[3] + ":" + parts[4];
        synchronized (this) {
            if (address.equals(lastAnnounced)) {
                return; // the same promotion, told by another sentinel
            }
            lastAnnounced = address;
        }
        log.warn("Redis Sentinel promoted {} to primary of {}: moving the connections there", address, master);
        // off the Lettuce event loop that delivered the message: re-opening a connection waits
        Schedulers.boundedElastic().schedule(() -> moveTo(new RedisPrimaryChanged(master, address)));
    }

    private void moveTo(RedisPrimaryChanged changed) {
        try {
            // in-flight commands on the old primary fail (the management API retries its own);
            // the next connection is resolved through the sentinels, which now name the new one
            factory.resetConnection();
            ReactiveRedisConnection opened = factory.getReactiveConnection(); // opened here, not by a request
            opened.closeLater().subscribe();
        } catch (RuntimeException e) {
            log.warn(
                    "re-opening the Redis connection after the promotion failed ({}); the next command retries it",
                    e.getClass().getSimpleName());
        }
        events.publishEvent(changed);
    }

    @Override
    public void stop() {
        connecting.dispose();
        for (StatefulRedisPubSubConnection<String, String> connection : connections) {
            connection.closeAsync();
        }
        connections.clear();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Like the invalidation subscription: after the web server, before the Redis client. */
    @Override
    public int getPhase() {
        return 1000;
    }
}
