package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.routing.Resilience;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamBreakerConfigTest {

    @Test
    void aLongCallIsNeverASlowCallFailureTheResponseTimeoutIsTheOnlyClock() {
        CircuitBreakerConfig config = UpstreamCalls.config(new Resilience.Breaker(50, 20, Duration.ofSeconds(10)));
        // the call spans the body: a 300 s upload (the longest route timeout) must not count as slow
        assertThat(config.getSlowCallDurationThreshold()).isGreaterThan(Duration.ofHours(1));
        assertThat(config.getFailureRateThreshold()).isEqualTo(50f);
        assertThat(config.getMinimumNumberOfCalls()).isEqualTo(20);
    }
}
