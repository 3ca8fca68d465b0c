package ai.powerpost.gateway.ratelimit;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RateLimitClass;
import ai.powerpost.gateway.routing.RouteSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The per-key limit of the route's rate-limit class: decided in memory by the
 * {@link LocalRateLimiter} (no I/O), after the key, scope and workspace checks, so a request
 * refused by those never spends quota. Over the limit: 429 {@code RATE_LIMIT_EXCEEDED} with
 * {@code retryAfter} and {@code Retry-After}, and the upstream is not called. Every response of a
 * limited route carries {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset}: set now,
 * and set again just before the response is committed, over whatever the upstream sent.
 */
final class RateLimitCheck extends RouteCheck {

    private final LocalRateLimiter limiter;
    private final MeterRegistry meters;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final String description;

    RateLimitCheck(
            LocalRateLimiter limiter,
            Collection<RateLimitClass> classes,
            RateLimitProperties properties,
            MeterRegistry meters) {
        this.limiter = limiter;
        this.meters = meters;
        classes.forEach(c -> rejected(c.name()));
        this.description = "RateLimitCheck[classes="
                + classes.stream()
                        .map(c -> c.name() + " " + c.requests() + "/"
                                + duration(c.per().toMillis()))
                        .collect(Collectors.joining(", ", "{", "}"))
                + ", syncInterval=" + duration(properties.syncInterval().toMillis()) + ", shards=" + properties.shards()
                + ", maxKeys=" + properties.maxKeys() + "]";
    }

    @Override
    protected Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key) {
        RateLimitClass limit = route.rateLimit();
        if (limit == null) {
            return Verdict.PASS;
        }
        Decision decision = limiter.tryAcquire(key.rateLimitId(), limit);
        // Written when the response commits, whoever writes it (the upstream's answer, a 429 here,
        // an error further on): last, so an upstream's own X-RateLimit-* never wins. Once is enough.
        ServerHttpResponse response = exchange.getResponse();
        response.beforeCommit(() -> {
            RateLimitHeaders.set(response.getHeaders(), decision);
            return Mono.empty();
        });
        if (!decision.allowed()) {
            rejected(limit.name()).increment();
            return Verdict.refuse(ApiError.RATE_LIMITED.withRetryAfter(decision.retryAfterSeconds()));
        }
        return Verdict.PASS;
    }

    /** The rejection counter of a class: classes are the bounded set of routes.yml. */
    private Counter rejected(String className) {
        return rejected.computeIfAbsent(
                className,
                name -> Counter.builder(RateLimitMeters.REJECTED)
                        .description("Requests refused with 429 by the per-key rate limit")
                        .tag(RateLimitMeters.CLASS_TAG, name)
                        .register(meters));
    }

    private static String duration(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    @Override
    public Stage stage() {
        return Stage.RATE_LIMIT;
    }

    @Override
    public String toString() {
        return description;
    }
}
