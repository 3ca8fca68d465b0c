package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.errors.ApiError;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** Redis failures and anything unexpected become a JSON 503/500; a stack trace never leaves. */
final class AdminFailures implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger log = LoggerFactory.getLogger(AdminFailures.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        return next.handle(request).timeout(CALL_TIMEOUT).onErrorResume(e -> {
            if (e instanceof DataAccessException || e instanceof TimeoutException || RedisRetry.isTransient(e)) {
                log.warn("management call failed: {}", e.getClass().getSimpleName());
                return AdminResponses.error(ApiError.AUTH_UNAVAILABLE);
            }
            // Not an outage: a defect, logged whole (the request carries no secret: keys are made here)
            log.error("management call failed", e);
            return AdminResponses.error(ApiError.INTERNAL_ERROR);
        });
    }
}
