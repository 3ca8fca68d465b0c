package ai.powerpost.gateway.admin.operators;

import ai.powerpost.gateway.admin.AdminProperties;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.Drbg;
import ai.powerpost.gateway.redis.PeriodicFlush;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** The named operators: their store (which authentication asks), the last-use flush, their routes. */
@Configuration(proxyBeanMethods = false)
class OperatorsConfiguration {

    @Bean
    OperatorStore operatorStore(ReactiveStringRedisTemplate redis) {
        return new OperatorStore(redis, Drbg.create());
    }

    @Bean
    OperatorsHandler operatorsHandler(OperatorStore store, Changes changes) {
        return new OperatorsHandler(store, changes);
    }

    /** Writes the operators' last use every {@code gateway.admin.last-used-flush-interval}, a last time on stop. */
    @Bean
    SmartLifecycle operatorLastUseFlush(OperatorStore store, AdminProperties properties) {
        return new PeriodicFlush(
                "operators' last use", properties.lastUsedFlushInterval(), Duration.ofSeconds(2), store::flushLastUse);
    }
}
