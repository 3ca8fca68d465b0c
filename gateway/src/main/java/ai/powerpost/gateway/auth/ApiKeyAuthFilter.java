package ai.powerpost.gateway.auth;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ErrorResponseWriter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Authenticates: finds the key ({@link ApiKeyExtractor}), hashes it, looks it up through the
 * {@link ApiKeyStore}, and puts an {@link AuthContext} on the exchange, or answers 401
 * {@code INVALID_API_KEY}. Malformed, unknown and revoked keys get one and the same answer.
 *
 * <p>Fails closed: when the key is not cached and Redis cannot be asked, the answer is 503, never
 * a pass and never a 401 (an outage must not tell a client its key is invalid).
 */
final class ApiKeyAuthFilter implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthFilter.class);
    private static final Outcome UNKNOWN = new Outcome(null, ApiError.INVALID_API_KEY);
    private static final Outcome UNAVAILABLE = new Outcome(null, ApiError.AUTH_UNAVAILABLE);

    private final ApiKeyStore store;

    ApiKeyAuthFilter(ApiKeyStore store) {
        this.store = store;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ApiKeyExtractor.Result result = ApiKeyExtractor.extract(exchange.getRequest().getHeaders());
        if (!(result instanceof ApiKeyExtractor.Found found)) {
            ApiError error = result instanceof ApiKeyExtractor.Missing ? ApiError.MISSING_API_KEY : ApiError.INVALID_API_KEY;
            return ErrorResponseWriter.write(exchange, error);
        }
        return store.find(ApiKeys.hash(found.key()))
                .map(Outcome::known)
                .defaultIfEmpty(UNKNOWN)
                .onErrorResume(e -> {
                    log.warn("key look-up failed, answering 503: {}", e.getClass().getSimpleName());
                    return Mono.just(UNAVAILABLE);
                })
                .flatMap(outcome -> {
                    if (outcome.key == null) {
                        return ErrorResponseWriter.write(exchange, outcome.error);
                    }
                    exchange.getAttributes().put(AuthContext.ATTRIBUTE, new AuthContext(outcome.key));
                    return chain.filter(exchange);
                });
    }

    @Override
    public int getOrder() {
        return FilterOrder.AUTHENTICATE;
    }

    @Override
    public String toString() {
        return "ApiKeyAuthFilter[store=" + store.getClass().getSimpleName() + "]";
    }

    private record Outcome(@Nullable KeyRecord key, ApiError error) {
        static Outcome known(KeyRecord key) {
            return new Outcome(key, ApiError.INVALID_API_KEY);
        }
    }
}
