package ai.powerpost.gateway.redis;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The gateway's one Redis template (it replaces Spring Boot's {@code reactiveStringRedisTemplate}):
 * Spring Boot's, except that every command is handed to the driver from the {@code redis-dispatch}
 * threads, never from a Netty event loop. This is the one place the gateway replaces part of the
 * Redis stack, and why:
 * <ul>
 * <li>Spring Data Redis hands out its shared connection under a lock, on every command; after a
 *     failure reset the connection it re-opens it under that lock, a blocking connect;</li>
 * <li>Lettuce guards each write to a connection with a lock (its {@code SharedLock}), contended as
 *     soon as two threads write to the same connection;</li>
 * <li>in cluster mode Lettuce opens a node's connection the first time a command needs it, and the
 *     writer waits for it.</li>
 * </ul>
 * Each of those parks the calling thread; on an event loop that stalls every connection the loop
 * serves. Here they park a dispatch thread instead (bounded: {@link #DISPATCH_THREADS} threads and
 * a bounded queue, so an outage cannot pile up threads), and the event loops only ever receive
 * answers. The cost is one hand-off per command: only a key the cache does not know, and the
 * batched flushes, talk to Redis at all (a warm key costs none; a forged key is refused before).
 * Scripts go through {@link RedisScripts}, which sends them with {@code EVAL} through this template.
 */
public final class RedisDispatchTemplate extends ReactiveStringRedisTemplate implements DisposableBean {

    static final int DISPATCH_THREADS = 4;
    private static final int QUEUED = 100_000;

    private final Scheduler dispatch;

    public RedisDispatchTemplate(ReactiveRedisConnectionFactory factory) {
        super(factory);
        this.dispatch = Schedulers.newBoundedElastic(DISPATCH_THREADS, QUEUED, "redis-dispatch", 60, true);
    }

    @Override
    protected Mono<ReactiveRedisConnection> getConnection() {
        return super.getConnection().subscribeOn(dispatch);
    }

    @Override
    public void destroy() {
        dispatch.dispose();
    }
}
