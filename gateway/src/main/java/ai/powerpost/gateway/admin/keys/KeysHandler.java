package ai.powerpost.gateway.admin.keys;

import ai.powerpost.gateway.admin.Action;
import ai.powerpost.gateway.admin.AdminResponses;
import ai.powerpost.gateway.admin.AdminRoutes;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.admin.Target;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.errors.ApiError;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * An account's keys and workspaces, on the management port only:
 * <pre>
 * POST   /admin/v1/accounts/{accountId}/keys             {"name", "preset" | "scopes"} → 201, the secret shown once   operator
 * GET    /admin/v1/accounts/{accountId}/keys             → {"data": [...]}, never a secret or a hash                 viewer
 * DELETE /admin/v1/accounts/{accountId}/keys/{keyId}     → 204, revoked                                                operator
 * GET    /admin/v1/keys/{keyId}                          → the key's record with its account                         viewer
 * PUT    /admin/v1/accounts/{accountId}/workspaces/{id}  → 204, ownership recorded                                     operator
 * DELETE /admin/v1/accounts/{accountId}/workspaces/{id}  → 204, ownership removed                                      operator
 * GET    /admin/v1/key-secrets                           → {"data": [{"id", "minting", "live_keys"}], "untagged_keys"} viewer
 * </pre>
 * Every change goes through {@link Changes}. Scopes are immutable: there is no call that changes them.
 */
final class KeysHandler implements AdminRoutes {

    private static final String BASE = "/admin/v1/accounts/{accountId}";
    private static final ApiError KEY_LIMIT = ApiError.of(
            HttpStatus.CONFLICT, "KEY_LIMIT_REACHED", "This account already holds the maximum number of active keys");
    private static final ApiError BAD_ACCOUNT =
            ApiError.validation("accountId must be 1-64 characters of [A-Za-z0-9_-]");
    private static final Set<String> CREATE_FIELDS = Set.of("name", "preset", "scopes");
    private static final int MAX_NAME = 100;

    private final KeysStore store;
    private final Changes changes;

    KeysHandler(KeysStore store, Changes changes) {
        this.store = store;
        this.changes = changes;
    }

    @Override
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST(BASE + "/keys", this::create)
                .GET(BASE + "/keys", AdminRoutes.read(Role.VIEWER, this::list))
                .DELETE(BASE + "/keys/{keyId}", this::revoke)
                .GET("/admin/v1/keys/{keyId}", AdminRoutes.read(Role.VIEWER, this::find))
                .PUT(BASE + "/workspaces/{workspaceId}", request -> workspaceCall(request, true))
                .DELETE(BASE + "/workspaces/{workspaceId}", request -> workspaceCall(request, false))
                .GET("/admin/v1/key-secrets", AdminRoutes.read(Role.VIEWER, this::keySecrets))
                .build();
    }

    private Mono<ServerResponse> create(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = store.newKeyId();
        Target account = Target.account(safe(accountId));
        Target target = Target.key(accountId, keyId);
        return changes.make(request, Role.OPERATOR, Action.KEY_CREATE, account, () -> {
            if (!AdminResponses.isId(accountId)) {
                return Mono.just(new Changes.Invalid(BAD_ACCOUNT, account));
            }
            return request.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                    .map(KeysHandler::parseCreate)
                    .onErrorResume(
                            e -> !(e instanceof InvalidRequest),
                            e -> Mono.error(new InvalidRequest("the body must be a JSON object")))
                    .switchIfEmpty(Mono.error(new InvalidRequest("the body must be a JSON object")))
                    .<Changes.Plan>map(parsed -> new Changes.Apply(
                            target,
                            permit -> store.create(permit, accountId, keyId, parsed.name(), parsed.scopes())
                                    .<Changes.Result>map(
                                            created -> new Changes.Done(HttpStatus.CREATED, createdView(created)))
                                    .defaultIfEmpty(new Changes.Refused(KEY_LIMIT))))
                    .onErrorResume(
                            InvalidRequest.class,
                            e -> Mono.just(new Changes.Invalid(ApiError.validation(e.getMessage()), account)));
        });
    }

    private Mono<ServerResponse> list(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        if (!AdminResponses.isId(accountId)) {
            return AdminResponses.error(BAD_ACCOUNT);
        }
        return store.list(accountId).collectList().flatMap(keys -> AdminResponses.ok(Map.of("data", keys)));
    }

    private Mono<ServerResponse> find(ServerRequest request) {
        String keyId = request.pathVariable("keyId");
        if (!AdminResponses.isId(keyId)) {
            return AdminResponses.error(ApiError.NOT_FOUND);
        }
        return store.find(keyId).flatMap(AdminResponses::ok).switchIfEmpty(AdminResponses.error(ApiError.NOT_FOUND));
    }

    /** The configured secrets by id (never a secret), whether each mints, its live keys; the untagged keys. */
    private Mono<ServerResponse> keySecrets(ServerRequest request) {
        return store.secrets().flatMap(report -> {
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
            return AdminResponses.ok(body);
        });
    }

    private Mono<ServerResponse> revoke(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        Target target = Target.key(safe(accountId), safe(keyId));
        return changes.make(request, Role.OPERATOR, Action.KEY_REVOKE, target, () -> {
            if (!AdminResponses.isId(accountId) || !AdminResponses.isId(keyId)) {
                return Mono.just(new Changes.Invalid(ApiError.NOT_FOUND, target));
            }
            return Mono.just(new Changes.Apply(
                    target,
                    permit -> store.revoke(permit, accountId, keyId)
                            .map(revoked -> revoked
                                    ? new Changes.Done(HttpStatus.NO_CONTENT, null)
                                    : new Changes.Refused(ApiError.NOT_FOUND))));
        });
    }

    private Mono<ServerResponse> workspaceCall(ServerRequest request, boolean add) {
        String accountId = request.pathVariable("accountId");
        String workspaceId = request.pathVariable("workspaceId");
        Target target = Target.workspace(safe(accountId), safe(workspaceId));
        Action action = add ? Action.WORKSPACE_GRANT : Action.WORKSPACE_REMOVE;
        return changes.make(request, Role.OPERATOR, action, target, () -> {
            if (!AdminResponses.isId(accountId) || !AdminResponses.isId(workspaceId)) {
                return Mono.just(new Changes.Invalid(
                        ApiError.validation("ids must be 1-64 characters of [A-Za-z0-9_-]"), target));
            }
            return Mono.just(new Changes.Apply(
                    target,
                    permit -> (add
                                    ? store.addWorkspace(permit, accountId, workspaceId)
                                    : store.removeWorkspace(permit, accountId, workspaceId))
                            .thenReturn(new Changes.Done(HttpStatus.NO_CONTENT, null))));
        });
    }

    /** A path id as the audit entry names it: as given when well-formed, else left out. */
    private static @Nullable String safe(String id) {
        return AdminResponses.isId(id) ? id : null;
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

    private static Map<String, Object> createdView(KeysStore.CreatedKey created) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", created.id());
        view.put("key", created.key());
        view.put("name", created.name());
        view.put("scopes", created.scopes().stream().map(Scope::wireName).toList());
        view.put("created_at", created.createdAt().toString());
        return view;
    }

    private record CreateRequest(String name, Set<Scope> scopes) {}

    private static final class InvalidRequest extends RuntimeException {
        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }
}
