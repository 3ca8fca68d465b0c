package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.access.BruteForceGuard;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.web.TrustedProxies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Who is calling the management API: {@code Authorization: Bearer <token>}, one header, where the
 * token is the bootstrap token (compared in constant time; {@link Actor#ROOT}, unless
 * {@code gateway.admin.root-token-enabled} is false) or a live named operator's
 * ({@link OperatorCredentials}, read from Redis on every call). The caller, the request id and the
 * client address are left on the request ({@link Caller}); the request id is echoed as
 * {@code X-Request-Id}.
 *
 * <p>A token presented and refused (wrong, unknown, revoked, expired, or the retired bootstrap
 * token) counts as a failed attempt of the client address ({@link BruteForceGuard}, the budget
 * failed API keys use); an address over its budget gets 429 {@code RATE_LIMIT_EXCEEDED} until its
 * window ends, whatever token it sends (a right guess must not be told apart from a wrong one).
 * A missing header is a 401 that counts nothing.
 */
final class AdminAuthentication implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    static final ApiError UNAUTHORIZED =
            ApiError.of(HttpStatus.UNAUTHORIZED, "UNAUTHORIZED", "Missing or invalid admin token");
    static final String REQUEST_ID = "X-Request-Id";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final byte @Nullable [] rootDigest;
    private final OperatorCredentials operators;
    private final BruteForceGuard guard;
    private final TrustedProxies proxies;

    AdminAuthentication(
            AdminProperties properties, OperatorCredentials operators, BruteForceGuard guard, TrustedProxies proxies) {
        String token = properties.token();
        this.rootDigest = properties.rootAccepted() && token != null ? sha256(token) : null;
        this.operators = operators;
        this.guard = guard;
        this.proxies = proxies;
    }

    @Override
    public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
        String requestId = requestId(request.headers().firstHeader(REQUEST_ID));
        request.exchange().getResponse().getHeaders().set(REQUEST_ID, requestId);
        String client = proxies.clientAddress(request.exchange().getRequest());
        List<String> headers = request.headers().header(HttpHeaders.AUTHORIZATION);
        if (headers.isEmpty()) {
            return AdminResponses.error(UNAUTHORIZED);
        }
        if (guard.throttled(client)) {
            return AdminResponses.error(ApiError.TOO_MANY_FAILURES.withRetryAfter(guard.retryAfterSeconds(client)));
        }
        String header = headers.get(0);
        if (headers.size() != 1 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return refused(client);
        }
        String token = header.substring(7).strip();
        if (rootDigest != null && MessageDigest.isEqual(sha256(token), rootDigest)) {
            return next.handle(authenticated(request, Actor.ROOT, requestId, client));
        }
        if (!OperatorTokens.isWellFormed(token)) {
            return refused(client);
        }
        return operators
                .authenticate(token)
                .map(actor -> authenticated(request, actor, requestId, client))
                .flatMap(next::handle)
                .switchIfEmpty(Mono.defer(() -> refused(client)));
    }

    private static ServerRequest authenticated(ServerRequest request, Actor actor, String requestId, String client) {
        request.attributes().put(Caller.ATTRIBUTE, new Caller(actor, requestId, client));
        return request;
    }

    private Mono<ServerResponse> refused(String client) {
        guard.recordFailure(client);
        return AdminResponses.error(UNAUTHORIZED);
    }

    /** The client's {@code X-Request-Id} when it is sane (1-128 of {@code [A-Za-z0-9._:-]}), else a new one. */
    static String requestId(@Nullable String given) {
        if (given != null && given.matches("[A-Za-z0-9._:-]{1,128}")) {
            return given;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[32];
        for (int i = 0; i < id.length; i += 16) {
            long bits = random.nextLong();
            for (int j = 0; j < 16; j++) {
                id[i + j] = HEX[(int) (bits >>> (60 - 4 * j)) & 0xF];
            }
        }
        return new String(id);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
