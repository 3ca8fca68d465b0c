package ai.powerpost.gateway.ratelimit;

import ai.powerpost.gateway.routing.RouteTable;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** Wires the ratelimit package: the local limiter, its Redis reconciler, the filter. */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

    @Bean
    LocalRateLimiter localRateLimiter(RateLimitProperties properties, MeterRegistry meters) {
        return new LocalRateLimiter(properties, System::currentTimeMillis, Ticker.systemTicker(), meters);
    }

    @Bean
    RateLimitReconciler rateLimitReconciler(
            LocalRateLimiter limiter,
            ReactiveStringRedisTemplate redis,
            RateLimitProperties properties,
            MeterRegistry meters) {
        return new RateLimitReconciler(redis, limiter.pending(), properties, System::currentTimeMillis, meters);
    }

    @Bean
    RateLimitCheck rateLimitFilter(
            LocalRateLimiter limiter, RouteTable routes, RateLimitProperties properties, MeterRegistry meters) {
        return new RateLimitCheck(limiter, routes.rateLimits().values(), properties, meters);
    }
}
