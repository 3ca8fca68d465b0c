package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The key management API, served on the management port only:
 * <pre>
 * POST   /admin/v1/accounts/{accountId}/keys             {"name", "preset" | "scopes"} → 201, the secret shown once
 * GET    /admin/v1/accounts/{accountId}/keys             → {"data": [...]}, never a secret or a hash
 * DELETE /admin/v1/accounts/{accountId}/keys/{keyId}     → 204, revoked
 * PUT    /admin/v1/accounts/{accountId}/workspaces/{id}  → 204, ownership recorded
 * DELETE /admin/v1/accounts/{accountId}/workspaces/{id}  → 204, ownership removed
 * GET    /admin/v1/key-secrets                           → {"data": [{"id", "minting", "live_keys"}], "untagged_keys"}
 * </pre>
 * Every call needs {@code Authorization: Bearer <GATEWAY_ADMIN_TOKEN>}, compared in constant time.
 * Scopes are immutable: there is no call that changes them.
 */
final class KeyAdminHandler {

    private static final Logger log = LoggerFactory.getLogger(KeyAdminHandler.class);
    private static final String BASE = "/admin/v1/accounts/{accountId}";
    private static final ApiError UNAUTHORIZED =
            ApiError.of(HttpStatus.UNAUTHORIZED, "UNAUTHORIZED", "Missing or invalid admin token");
    private static final ApiError KEY_LIMIT = ApiError.of(
            HttpStatus.CONFLICT, "KEY_LIMIT_REACHED", "This account already holds the maximum number of active keys");
    private static final Set<String> CREATE_FIELDS = Set.of("name", "preset", "scopes");
    private static final int MAX_NAME = 100;
    private static final java.time.Duration CALL_TIMEOUT = java.time.Duration.ofSeconds(5);

    private final KeyAdminService service;
    private final byte[] tokenDigest;

    KeyAdminHandler(KeyAdminService service, String token) {
        this.service = service;
        this.tokenDigest = sha256(token);
    }

    RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST(BASE + "/keys", this::create)
                .GET(BASE + "/keys", this::list)
                .DELETE(BASE + "/keys/{keyId}", this::revoke)
                .PUT(BASE + "/workspaces/{workspaceId}", this::addWorkspace)
                .DELETE(BASE + "/workspaces/{workspaceId}", this::removeWorkspace)
                .GET("/admin/v1/key-secrets", this::keySecrets)
                .filter(authenticated())
                .filter(failuresAsErrors())
                .build();
    }

    private Mono<ServerResponse> create(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        if (!isId(accountId)) {
            return error(ApiError.validation("accountId must be 1-64 characters of [A-Za-z0-9_-]"));
        }
        return request.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                .map(body -> parseCreate(body))
                .onErrorResume(
                        e -> !(e instanceof InvalidRequest),
                        e -> Mono.error(new InvalidRequest("the body must be a JSON object")))
                .switchIfEmpty(Mono.error(new InvalidRequest("the body must be a JSON object")))
                .flatMap(create -> service.create(accountId, create.name(), create.scopes())
                        .flatMap(created -> ServerResponse.status(HttpStatus.CREATED)
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(createdView(created)))
                        .switchIfEmpty(error(KEY_LIMIT)))
                .onErrorResume(InvalidRequest.class, e -> error(ApiError.validation(e.getMessage())));
    }

    private Mono<ServerResponse> list(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        if (!isId(accountId)) {
            return error(ApiError.validation("accountId must be 1-64 characters of [A-Za-z0-9_-]"));
        }
        return service.list(accountId)
                .collectList()
                .flatMap(keys -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("data", keys)));
    }

    /** The configured secrets by id (never a secret), whether each mints, its live keys; the untagged keys. */
    private Mono<ServerResponse> keySecrets(ServerRequest request) {
        return service.secrets().flatMap(report -> {
            List<Map<String, Object>> secrets = report.secrets().stream()
                    .map(use -> {
                        Map<String, Object> view = new LinkedHashMap<>();
                        view.put("id", use.id());
                        view.put("minting", use.minting());
                        view.put("live_keys", use.liveKeys());
                        return view;
                    })
                    .toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("data", secrets);
            body.put("untagged_keys", report.untaggedKeys());
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        });
    }

    private Mono<ServerResponse> revoke(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        if (!isId(accountId) || !isId(keyId)) {
            return error(ApiError.NOT_FOUND);
        }
        return service.revoke(accountId, keyId)
                .flatMap(revoked -> revoked ? ServerResponse.noContent().build() : error(ApiError.NOT_FOUND));
    }

    private Mono<ServerResponse> addWorkspace(ServerRequest request) {
        return workspaceCall(request, true);
    }

    private Mono<ServerResponse> removeWorkspace(ServerRequest request) {
        return workspaceCall(request, false);
    }

    private Mono<ServerResponse> workspaceCall(ServerRequest request, boolean add) {
        String accountId = request.pathVariable("accountId");
        String workspaceId = request.pathVariable("workspaceId");
        if (!isId(accountId) || !isId(workspaceId)) {
            return error(ApiError.validation("ids must be 1-64 characters of [A-Za-z0-9_-]"));
        }
        Mono<Void> call =
                add ? service.addWorkspace(accountId, workspaceId) : service.removeWorkspace(accountId, workspaceId);
        return call.then(ServerResponse.noContent().build());
    }

    private HandlerFilterFunction<ServerResponse, ServerResponse> authenticated() {
        return (request, next) -> {
            String header = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
            boolean ok = header != null
                    && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    && request.headers().header(HttpHeaders.AUTHORIZATION).size() == 1
                    && MessageDigest.isEqual(sha256(header.substring(7).strip()), tokenDigest);
            return ok ? next.handle(request) : error(UNAUTHORIZED);
        };
    }

    /** Redis failures and anything unexpected become a JSON 503/500; a stack trace never leaves. */
    private static HandlerFilterFunction<ServerResponse, ServerResponse> failuresAsErrors() {
        return (request, next) -> next.handle(request).timeout(CALL_TIMEOUT).onErrorResume(e -> {
            if (e instanceof org.springframework.dao.DataAccessException
                    || e instanceof java.util.concurrent.TimeoutException) {
                log.warn("key management call failed: {}", e.getClass().getSimpleName());
                return error(ApiError.AUTH_UNAVAILABLE);
            }
            // Not an outage: a defect, logged whole (the request carries no secret: keys are made here)
            log.error("key management call failed", e);
            return error(ApiError.INTERNAL_ERROR);
        });
    }

    private static CreateRequest parseCreate(Map<String, Object> body) {
        for (String field : body.keySet()) {
            if (!CREATE_FIELDS.contains(field)) {
                throw new InvalidRequest("unknown field '" + field + "'");
            }
        }
        if (!(body.get("name") instanceof String name) || name.isBlank() || name.length() > MAX_NAME) {
            throw new InvalidRequest("name is required: a string of 1 to " + MAX_NAME + " characters");
        }
        Object preset = body.get("preset");
        Object scopes = body.get("scopes");
        if ((preset == null) == (scopes == null)) {
            throw new InvalidRequest("give exactly one of preset or scopes");
        }
        if (preset != null) {
            Set<Scope> presetScopes = preset instanceof String p ? Scope.preset(p) : null;
            if (presetScopes == null) {
                throw new InvalidRequest("unknown preset; use full_access, draft_only or read_only");
            }
            return new CreateRequest(name.strip(), presetScopes);
        }
        if (!(scopes instanceof List<?> names) || names.isEmpty()) {
            throw new InvalidRequest("scopes must be a non-empty list of scope names");
        }
        Set<Scope> parsed = EnumSet.noneOf(Scope.class);
        for (Object scopeName : names) {
            Scope scope = scopeName instanceof String s ? Scope.fromWireName(s) : null;
            if (scope == null) {
                throw new InvalidRequest("unknown scope '" + scopeName + "'");
            }
            parsed.add(scope);
        }
        return new CreateRequest(name.strip(), parsed);
    }

    private static Map<String, Object> createdView(KeyAdminService.CreatedKey created) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", created.id());
        view.put("key", created.key());
        view.put("name", created.name());
        view.put("scopes", created.scopes().stream().map(Scope::wireName).toList());
        view.put("created_at", created.createdAt().toString());
        return view;
    }

    static Mono<ServerResponse> error(ApiError error) {
        ServerResponse.BodyBuilder builder =
                ServerResponse.status(error.status()).contentType(MediaType.APPLICATION_JSON);
        if (error.status() == HttpStatus.UNAUTHORIZED) {
            builder.header(HttpHeaders.WWW_AUTHENTICATE, ApiError.WWW_AUTHENTICATE_VALUE);
        }
        if (error.retryAfter() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, Long.toString(error.retryAfter()));
        }
        return builder.bodyValue(ErrorResponseWriter.body(error));
    }

    static boolean isId(@Nullable String id) {
        return id != null && id.matches("[A-Za-z0-9_-]{1,64}");
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record CreateRequest(String name, Set<Scope> scopes) {}

    private static final class InvalidRequest extends RuntimeException {
        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }
}
