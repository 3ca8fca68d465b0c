package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisReadOnlyException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;

/** Which failures of a management write's Redis command are retried: only those that say nothing about the command. */
class TransientRedisFailuresTest {

    @Test
    void aLostOrRefusedConnectionOrATimeoutIsRetried() {
        assertThat(RedisRetry.isTransient(
                        new RedisConnectionFailureException("down", new RedisConnectionException("refused"))))
                .isTrue();
        assertThat(RedisRetry.isTransient(new QueryTimeoutException("slow"))).isTrue();
        assertThat(RedisRetry.isTransient(new RedisSystemException("x", new RedisException("Connection closed"))))
                .isTrue();
        assertThat(RedisRetry.isTransient(new RedisSystemException(
                        "x", new RedisException("Currently not connected. Commands are rejected."))))
                .isTrue();
    }

    @Test
    void aNodeInTheMiddleOfAFailoverIsRetried() {
        assertThat(RedisRetry.isTransient(new RedisSystemException(
                        "x", new RedisReadOnlyException("READONLY You can't write against a read only replica."))))
                .isTrue();
        assertThat(RedisRetry.isTransient(new RedisSystemException(
                        "x", new RedisCommandExecutionException("MASTERDOWN Link with MASTER is down"))))
                .isTrue();
    }

    @Test
    void anErrorReplyAboutTheCommandItselfIsNotRetried() {
        assertThat(RedisRetry.isTransient(new RedisSystemException(
                        "x", new RedisCommandExecutionException("WRONGTYPE Operation against a key"))))
                .isFalse();
        assertThat(RedisRetry.isTransient(new IllegalStateException("a defect")))
                .isFalse();
    }
}
