package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.admin.Actor;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.JsonStrings;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import ai.powerpost.gateway.pipeline.RequestState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /secret-scanning/github}: GitHub's secret-scanning partner format. The body, a JSON
 * array of {@code {"token","type","url","source"}}, is read whole (at most {@value #MAX_BODY} bytes:
 * a batch of thousands of tokens), then its signature is checked
 * ({@code Github-Public-Key-Signature}: ECDSA P-256 over SHA-256 of the raw body, base64 DER, by the
 * key {@code Github-Public-Key-Identifier} names in GitHub's list, {@link GithubPublicKeys}); a bad
 * or missing one is a 401 and nothing is looked at. Then each token is handled by
 * {@link LeakedKeys}, a bounded number at once, and the answer lists, in order,
 * {@code {"token_hash","token_type","label"}} per token (the hash: SHA-256 hex of the token, as
 * GitHub's format has it). Well within GitHub's 30 s even for a batch of thousands: the answer is
 * given up (503, GitHub sends again) after {@value #DEADLINE_SECONDS} s.
 */
final class GithubEndpoint {

    static final String PATH = "/secret-scanning/github";
    static final String ENDPOINT_ID = "secret-scanning-github";
    static final String KEY_IDENTIFIER = "Github-Public-Key-Identifier";
    static final String KEY_SIGNATURE = "Github-Public-Key-Signature";

    /**
     * Room for a few thousand tokens with their URLs (an entry is a few hundred bytes: 1,000 of them
     * with 1 KB URLs fit twice over). The body is held whole until its signature is checked, so the
     * bound is also what an unsigned request can make a replica hold.
     */
    static final int MAX_BODY = 2 * 1024 * 1024;

    static final long DEADLINE_SECONDS = 25;

    static final ApiError BAD_SIGNATURE = ApiError.of(
            HttpStatus.UNAUTHORIZED, "INVALID_SIGNATURE", "Missing or invalid GitHub secret-scanning signature");
    static final ApiError MALFORMED =
            ApiError.validation("Body must be a JSON array of {\"token\", \"type\", \"url\", \"source\"} objects");

    private static final Logger log = LoggerFactory.getLogger(GithubEndpoint.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_TYPE = 128;

    private final GithubPublicKeys publicKeys;
    private final LeakedKeys leaked;
    private final LeakMeters meters;
    private final int concurrency;

    GithubEndpoint(GithubPublicKeys publicKeys, LeakedKeys leaked, LeakMeters meters, int concurrency) {
        this.publicKeys = publicKeys;
        this.leaked = leaked;
        this.meters = meters;
        this.concurrency = concurrency;
    }

    /** One reported token, as GitHub sends it. */
    record Reported(
            String token,
            String type,
            @Nullable String url,
            @Nullable String source) {}

    Mono<Void> handle(ServerWebExchange exchange) {
        List<String> identifiers = exchange.getRequest().getHeaders().get(KEY_IDENTIFIER);
        List<String> signatures = exchange.getRequest().getHeaders().get(KEY_SIGNATURE);
        if (identifiers == null
                || identifiers.size() != 1
                || signatures == null
                || signatures.size() != 1
                || !GithubPublicKeys.isIdentifier(identifiers.get(0))) {
            return refuse(exchange); // before the body: nothing to verify it with
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatures.get(0).trim());
        } catch (IllegalArgumentException e) {
            return refuse(exchange);
        }
        return Bodies.read(exchange, MAX_BODY)
                .flatMap(body -> publicKeys
                        .key(identifiers.get(0))
                        .map(key -> GithubPublicKeys.verifies(key, body, signature))
                        .defaultIfEmpty(false)
                        .flatMap(valid -> valid ? verified(exchange, body) : refuse(exchange)))
                .onErrorResume(Bodies.TooLarge.class, e -> Bodies.unreadable(exchange, e));
    }

    private Mono<Void> refuse(ServerWebExchange exchange) {
        meters.refused("signature");
        return ErrorResponseWriter.write(exchange, BAD_SIGNATURE);
    }

    /** A batch GitHub signed: every token handled, then the labels. */
    private Mono<Void> verified(ServerWebExchange exchange, byte[] body) {
        List<Reported> batch = parse(body);
        if (batch == null) {
            meters.refused("malformed");
            return ErrorResponseWriter.write(exchange, MALFORMED);
        }
        RequestState state = RequestState.of(exchange);
        String requestId = state.requestId() == null ? "" : state.requestId();
        return Flux.fromIterable(batch)
                .flatMapSequential(
                        reported -> leaked.handle(
                                        reported.token(),
                                        new Changes.SystemCall(
                                                Actor.GITHUB_SECRET_SCANNING,
                                                requestId,
                                                state.clientAddress(),
                                                ReportedUrl.sanitise(reported.url())))
                                .doOnNext(label -> meters.reported(LeakMeters.Source.GITHUB, label))
                                .map(label -> new Answered(reported, label)),
                        concurrency)
                .collectList()
                .timeout(Duration.ofSeconds(DEADLINE_SECONDS))
                .flatMap(answers -> Bodies.json(exchange, HttpStatus.OK, answer(answers)))
                .onErrorResume(e -> {
                    log.warn(
                            "a GitHub secret-scanning batch of {} tokens could not be handled ({}): 503, GitHub sends it again",
                            batch.size(),
                            e.getClass().getSimpleName());
                    return ErrorResponseWriter.write(exchange, ApiError.AUTH_UNAVAILABLE);
                });
    }

    private record Answered(Reported reported, Label label) {}

    /** The batch, or null when the body is not GitHub's format (an array of objects, each with a string token). */
    static @Nullable List<Reported> parse(byte[] body) {
        List<Object> entries;
        try {
            entries = JSON.readValue(body, new TypeReference<List<Object>>() {});
        } catch (RuntimeException e) {
            return null;
        }
        if (entries == null) {
            return null;
        }
        List<Reported> batch = new ArrayList<>(entries.size());
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> fields) || !(fields.get("token") instanceof String token)) {
                return null;
            }
            batch.add(new Reported(
                    token,
                    string(fields.get("type")),
                    nullableString(fields.get("url")),
                    nullableString(fields.get("source"))));
        }
        return batch;
    }

    private static String string(@Nullable Object value) {
        String text = value instanceof String s ? s : "";
        return text.length() > MAX_TYPE ? text.substring(0, MAX_TYPE) : text;
    }

    private static @Nullable String nullableString(@Nullable Object value) {
        return value instanceof String s ? s : null;
    }

    /** {@code [{"token_hash","token_type","label"}, …]}, in the batch's order. */
    private static String answer(List<Answered> answers) {
        StringBuilder json = new StringBuilder(32 + answers.size() * 160).append('[');
        for (Answered answered : answers) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append("{\"token_hash\":");
            JsonStrings.append(json, tokenHash(answered.reported().token()));
            json.append(",\"token_type\":");
            JsonStrings.append(json, answered.reported().type());
            json.append(",\"label\":");
            JsonStrings.append(json, answered.label().wireName());
            json.append('}');
        }
        return json.append(']').toString();
    }

    /** SHA-256 of the token as sent (UTF-8), lower-case hex: how GitHub's format names a token. */
    static String tokenHash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "GithubEndpoint[" + publicKeys + ", " + leaked + ", concurrency=" + concurrency + "]";
    }
}
