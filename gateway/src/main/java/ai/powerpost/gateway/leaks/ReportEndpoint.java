package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.admin.Actor;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import ai.powerpost.gateway.pipeline.RequestState;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /secret-scanning/report} {@code {"key": "pp_live_sk_…"}}: anyone who found a key may
 * report it, as GitHub lets anyone revoke a found token. The answer is 202 with one fixed body
 * whether the key exists or not, and it is given before the key is even looked at: the look-up,
 * and for a key that exists its revocation (audited as {@link Actor#PUBLIC_REPORT}), run after the
 * answer, so neither its content nor its time tells a real key from a made-up one. Throttled per
 * client address ({@link ReportThrottle}: 429 with {@code Retry-After}); the body is at most
 * {@value #MAX_BODY} bytes.
 */
final class ReportEndpoint {

    static final String PATH = "/secret-scanning/report";
    static final String ENDPOINT_ID = "secret-scanning-report";
    static final int MAX_BODY = 4096;
    /** Reports handled after their answer, at most, at once; past it the reporter is asked to retry. */
    static final int MAX_IN_FLIGHT = 1024;

    static final String ACCEPTED =
            "{\"status\":\"received\",\"message\":\"Thank you. If this is a PowerPost key, it will be revoked.\"}";
    static final ApiError MALFORMED = ApiError.validation("Body must be {\"key\": \"<the key you found>\"}");
    static final ApiError THROTTLED =
            ApiError.of(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMIT_EXCEEDED", "Too many reports, try again later");
    static final ApiError BUSY = ApiError.of(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "The service is temporarily unavailable, try again later")
            .withRetryAfter(5);

    private static final Logger log = LoggerFactory.getLogger(ReportEndpoint.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final LeakedKeys leaked;
    private final ReportThrottle throttle;
    private final LeakMeters meters;
    private final AtomicInteger inFlight = new AtomicInteger();

    ReportEndpoint(LeakedKeys leaked, ReportThrottle throttle, LeakMeters meters) {
        this.leaked = leaked;
        this.throttle = throttle;
        this.meters = meters;
    }

    Mono<Void> handle(ServerWebExchange exchange) {
        RequestState state = RequestState.of(exchange);
        long retryAfter = throttle.acquire(state.clientAddress());
        if (retryAfter > 0) {
            return ErrorResponseWriter.write(exchange, THROTTLED.withRetryAfter(retryAfter));
        }
        return Bodies.read(exchange, MAX_BODY)
                .flatMap(body -> {
                    String key = key(body);
                    if (key == null) {
                        return ErrorResponseWriter.write(exchange, MALFORMED);
                    }
                    if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
                        inFlight.decrementAndGet();
                        return ErrorResponseWriter.write(exchange, BUSY);
                    }
                    Changes.SystemCall call = new Changes.SystemCall(
                            Actor.PUBLIC_REPORT,
                            state.requestId() == null ? "" : state.requestId(),
                            state.clientAddress(),
                            null);
                    return Bodies.json(exchange, HttpStatus.ACCEPTED, ACCEPTED)
                            .doFinally(signal -> handleLater(key, call));
                })
                .onErrorResume(Bodies.TooLarge.class, e -> Bodies.unreadable(exchange, e));
    }

    /** After the answer: the look-up and what it calls for; a failure is logged (by type only). */
    private void handleLater(String key, Changes.SystemCall call) {
        leaked.handle(key, call)
                .doFinally(signal -> inFlight.decrementAndGet())
                .subscribe(
                        label -> meters.reported(LeakMeters.Source.REPORT, label),
                        e -> log.warn(
                                "a reported key could not be handled ({}); the reporter was answered 202",
                                e.getClass().getSimpleName()));
    }

    /** The reported key, or null when the body is not {@code {"key": "…"}}. */
    static @Nullable String key(byte[] body) {
        Map<String, Object> fields;
        try {
            fields = JSON.readValue(body, new TypeReference<Map<String, Object>>() {});
        } catch (RuntimeException e) {
            return null;
        }
        return fields != null && fields.get("key") instanceof String key && !key.isEmpty() ? key : null;
    }

    @Override
    public String toString() {
        return "ReportEndpoint[" + throttle + ", " + leaked + "]";
    }
}
