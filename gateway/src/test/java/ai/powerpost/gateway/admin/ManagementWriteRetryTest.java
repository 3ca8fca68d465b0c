package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The key management API's idempotent Redis steps are retried through a blip (Redis unreachable
 * or slow for a moment), within a bound, and never for a command Redis refused.
 */
class ManagementWriteRetryTest {

    private static Mono<String> failingTimes(int failures, RuntimeException error, AtomicInteger calls) {
        return Mono.defer(() -> calls.incrementAndGet() <= failures ? Mono.error(error) : Mono.just("done"));
    }

    @Test
    void aBlipIsInvisible() {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.create(KeyAdminService.retried(
                        failingTimes(2, new RedisConnectionFailureException("reconnecting"), calls)))
                .expectNext("done")
                .verifyComplete();
        assertThat(calls).hasValue(3);
    }

    @Test
    void aTimeoutAndARejectedCommandWhileDisconnectedAreBlips() {
        assertThat(KeyAdminService.isBlip(new RedisSystemException("x", new RedisCommandTimeoutException("slow"))))
                .isTrue();
        assertThat(KeyAdminService.isBlip(new RedisSystemException(
                        "x", new RedisException("Currently not connected. Commands are rejected."))))
                .isTrue();
    }

    @Test
    void anOutageStillFailsWithinTheBound() {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.create(
                        KeyAdminService.retried(failingTimes(100, new RedisConnectionFailureException("down"), calls)))
                .expectError(RedisConnectionFailureException.class)
                .verify();
        assertThat(calls).hasValue(4); // the call and three retries
    }

    @Test
    void aCommandRedisRefusedIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.create(KeyAdminService.retried(
                        failingTimes(1, new InvalidDataAccessApiUsageException("WRONGTYPE"), calls)))
                .expectError(InvalidDataAccessApiUsageException.class)
                .verify();
        assertThat(calls).hasValue(1);
    }
}
