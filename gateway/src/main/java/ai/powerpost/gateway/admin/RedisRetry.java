package ai.powerpost.gateway.admin;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisReadOnlyException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The management API's writes ride out a transient Redis failure (a dropped connection, a
 * failover's first moments, a command timeout). Each Redis command of a write is retried on its own
 * ({@link #RETRY}: {@value #MAX_RETRIES} more times, 100 ms doubling up to 800 ms, under 2 s of
 * waiting in all, on a timer, never blocking), and only where running it twice does what running it
 * once does: {@code HSET} of the same fields, {@code SADD}/{@code SREM}/{@code DEL}/{@code HDEL} of
 * the same members, a read, a repeated invalidation message, the audit trail's append (made
 * idempotent by a nonce, {@link AuditStore}). A failed command may have run before its reply was
 * lost; every one of these commands is safe either way.
 *
 * <p>Never retried: a whole call (creation draws a new secret and id each time it runs). A refusal
 * and any Redis error reply other than a failover's ({@code READONLY}, {@code LOADING},
 * {@code MASTERDOWN}) are never retried.
 */
public final class RedisRetry {

    private static final Logger log = LoggerFactory.getLogger(RedisRetry.class);

    /** Retries of one idempotent command after its first attempt. */
    static final int MAX_RETRIES = 4;

    /**
     * 100, 200, 400, 800 ms (each ±50 %, at most 800 ms): under 2 s of waiting in all, enough to ride
     * out a reconnect (Lettuce retries within about half a second) and a short refusal of
     * connections, short enough for the management call's own 5 s bound.
     */
    static final Retry RETRY = Retry.backoff(MAX_RETRIES, Duration.ofMillis(100))
            .maxBackoff(Duration.ofMillis(800))
            .filter(RedisRetry::isTransient)
            .doBeforeRetry(signal -> log.info(
                    "management API: Redis command failed ({}), retry {} of {}",
                    signal.failure().getClass().getSimpleName(),
                    signal.totalRetries() + 1,
                    MAX_RETRIES))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure());

    private RedisRetry() {}

    /** One idempotent command, retried on a transient failure ({@link #RETRY}). */
    public static <T> Mono<T> retried(Mono<T> command) {
        return command.retryWhen(RETRY);
    }

    /**
     * A failure that says nothing about the command but that it did not get through, or not in
     * time: no connection, a connection lost or refused, a timeout, or the reply of a node in the
     * middle of a failover. Not an error reply about the command itself.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RedisConnectionFailureException
                    || e instanceof QueryTimeoutException
                    || e instanceof RedisConnectionException
                    || e instanceof RedisCommandTimeoutException
                    || e instanceof TimeoutException
                    || e instanceof RedisReadOnlyException
                    || e instanceof RedisLoadingException) {
                return true;
            }
            if (e instanceof RedisCommandExecutionException reply) {
                String message = reply.getMessage();
                return message != null && message.startsWith("MASTERDOWN");
            }
            if (e instanceof RedisException && !(e instanceof RedisCommandInterruptedException)) {
                // Lettuce's own, not a server's reply: "Connection closed", "Currently not connected"
                return true;
            }
        }
        return false;
    }
}
