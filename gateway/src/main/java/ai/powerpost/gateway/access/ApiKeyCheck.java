package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.ApiKeyExtractor;
import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.AuthProperties;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Lookup;
import ai.powerpost.gateway.auth.UntaggedKeys;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RequestTrace;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import io.micrometer.tracing.Span;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Authenticates: finds the key ({@link ApiKeyExtractor}), hashes it, looks it up through the
 * {@link ApiKeyStore}, and records the key in the {@link RequestState}, or answers 401
 * {@code INVALID_API_KEY}.
 *
 * <p>In this order: extract, hash, the cache (a warm key costs nothing more), then, for a key the
 * cache does not know, its tag ({@link KeyTags}) and, failing that, the untagged-key filter
 * ({@link UntaggedKeys}); a key that neither vouches for is a forgery and is refused with no
 * Redis command. Only then the look-up.
 *
 * <ul>
 * <li>An expired key gets 401 {@code INVALID_API_KEY} with the message {@code API key expired}:
 *     only its holder can learn that, and it is not counted as a failed attempt.</li>
 * <li>Malformed, unknown and revoked keys get one and the same answer, and it never comes sooner
 *     than {@code gateway.auth.failure-min-latency}: their answers cannot be told apart by content
 *     or by time.</li>
 * <li>Failed attempts are counted per client address ({@link BruteForceGuard}); a throttled address
 *     gets 429 {@code RATE_LIMIT_EXCEEDED} without any look-up, except for a key this replica
 *     already knows to be valid, so someone else's failures behind a shared NAT never lock out a
 *     working client, and the lock-out of anyone else ends with the window.</li>
 * <li>Fails closed: when the key is not cached and Redis cannot be asked, the answer is 503, never
 *     a pass and never a 401 (an outage must not tell a client its key is invalid).</li>
 * </ul>
 */
final class ApiKeyCheck implements Check {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyCheck.class);
    private static final Outcome UNKNOWN = new Outcome(null, ApiError.INVALID_API_KEY);
    private static final Outcome UNAVAILABLE = new Outcome(null, ApiError.AUTH_UNAVAILABLE);
    private static final Verdict MISSING = Verdict.refuse(ApiError.MISSING_API_KEY);
    private static final Verdict INVALID = Verdict.refuse(ApiError.INVALID_API_KEY);
    private static final Verdict EXPIRED = Verdict.refuse(ApiError.KEY_EXPIRED);

    private final ApiKeyStore store;
    private final KeyTags tags;
    private final UntaggedKeys untagged;
    private final BruteForceGuard guard;
    private final long failureMinLatencyNanos;

    ApiKeyCheck(
            ApiKeyStore store, KeyTags tags, UntaggedKeys untagged, BruteForceGuard guard, AuthProperties properties) {
        this.store = store;
        this.tags = tags;
        this.untagged = untagged;
        this.guard = guard;
        this.failureMinLatencyNanos = properties.failureMinLatency().toNanos();
    }

    @Override
    public Verdict check(ServerWebExchange exchange, RequestState state) {
        long started = System.nanoTime();
        ApiKeyExtractor.Result result =
                ApiKeyExtractor.extract(exchange.getRequest().getHeaders());
        if (result instanceof ApiKeyExtractor.Missing) {
            return MISSING;
        }
        String address = state.clientAddress();
        boolean throttled = guard.throttled(address);
        if (!(result instanceof ApiKeyExtractor.Found found)) {
            return throttled ? tooManyFailures(address) : invalid(address, started);
        }
        String hash = ApiKeys.hash(found.key());
        if (throttled) {
            KeyRecord known = store.cached(hash);
            return known == null ? tooManyFailures(address) : authenticated(state, known, found);
        }
        KeyRecord warm = store.cached(hash);
        if (warm != null) {
            return authenticated(state, warm, found); // no MAC work for a key already known
        }
        if (tags.verify(found.key()) == null && !untagged.mightContain(hash)) {
            // Not made with any of our secrets and not an untagged key: forged. Same answer as
            // any unknown key (body, failure count, minimum latency), no Redis command.
            return invalid(address, started);
        }
        Lookup<KeyRecord> lookup = store.lookup(hash);
        if (lookup instanceof Lookup.Now<KeyRecord> now) {
            // the cache's answer (a warm key, or a key known to be unknown): nothing to wait for
            return now.value() != null ? authenticated(state, now.value(), found) : invalid(address, started);
        }
        RequestTrace trace = state.trace();
        Mono<KeyRecord> fromRedis = trace == null ? lookup.toMono() : traced(lookup.toMono(), trace);
        return Verdict.waitFor(fromRedis
                .map(Outcome::known)
                .defaultIfEmpty(UNKNOWN)
                .onErrorResume(e -> {
                    log.warn(
                            "key look-up failed, answering 503: {}",
                            e.getClass().getSimpleName());
                    return Mono.just(UNAVAILABLE);
                })
                .map(outcome -> {
                    if (outcome.key != null) {
                        return authenticated(state, outcome.key, found);
                    }
                    return outcome == UNKNOWN ? invalid(address, started) : Verdict.refuse(outcome.error);
                }));
    }

    /**
     * The look-up that goes to Redis, as a child span of the request's: its outcome (found, unknown,
     * failed) and nothing of the key.
     */
    private static Mono<KeyRecord> traced(Mono<KeyRecord> lookup, RequestTrace trace) {
        return Mono.defer(() -> {
            Span span = trace.child("key lookup", Span.Kind.CLIENT);
            span.tag("db.system.name", "redis");
            return lookup.doOnSuccess(key -> span.tag("gateway.key_lookup", key == null ? "unknown" : "found")
                            .end())
                    .doOnError(e -> span.tag("gateway.key_lookup", "failed")
                            .error(new LookupFailed(e))
                            .end())
                    .doOnCancel(span::end);
        });
    }

    /** A failed look-up, as its span records it: the failure's type only (a message could hold anything). */
    static final class LookupFailed extends RuntimeException {
        LookupFailed(Throwable cause) {
            super(cause.getClass().getSimpleName(), null, false, false);
        }
    }

    /**
     * A key found: refused from its end on (the record knows it, so every replica refuses it at the
     * same instant, cached or not, with no message), and refused as unknown when its prefix is not
     * its record's mode (only a wrongly written record could do that: fail closed).
     */
    private static Verdict authenticated(RequestState state, KeyRecord key, ApiKeyExtractor.Found found) {
        if (key.expiredAt(System.currentTimeMillis())) {
            // recorded, so the access log names the key and its account (the owner can be told);
            // the pass stops here, so nothing else acts on it
            state.authenticated(key);
            return EXPIRED;
        }
        if (!found.key().startsWith(key.mode().prefix())) {
            log.warn(
                    "key {} is recorded as {} but carries the other prefix; refused",
                    key.id(),
                    key.mode().wireName());
            return INVALID;
        }
        state.authenticated(key);
        return Verdict.PASS;
    }

    /** Counts the failure, then answers 401 no sooner than the minimum failure latency. */
    private Verdict invalid(String address, long started) {
        guard.recordFailure(address);
        long remaining = failureMinLatencyNanos - (System.nanoTime() - started);
        return remaining <= 0
                ? INVALID
                : Verdict.waitFor(Mono.delay(Duration.ofNanos(remaining)).thenReturn(INVALID));
    }

    private Verdict tooManyFailures(String address) {
        return Verdict.refuse(ApiError.TOO_MANY_FAILURES.withRetryAfter(guard.retryAfterSeconds(address)));
    }

    @Override
    public Stage stage() {
        return Stage.AUTHENTICATE;
    }

    @Override
    public String toString() {
        return "ApiKeyCheck[store=" + store.getClass().getSimpleName() + ", tags=" + tags + ", failureMinLatency="
                + Duration.ofNanos(failureMinLatencyNanos) + "]";
    }

    private record Outcome(@Nullable KeyRecord key, ApiError error) {
        static Outcome known(KeyRecord key) {
            return new Outcome(key, ApiError.INVALID_API_KEY);
        }
    }
}
