package ai.powerpost.gateway.admin.keys;

import ai.powerpost.gateway.admin.Action;
import ai.powerpost.gateway.admin.AdminResponses;
import ai.powerpost.gateway.admin.AdminRoutes;
import ai.powerpost.gateway.admin.ApiDurations;
import ai.powerpost.gateway.admin.Caller;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.admin.Target;
import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.errors.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An account's keys and workspaces, on the management port only:
 * <pre>
 * POST   /admin/v1/accounts/{accountId}/keys             {"name", "preset" | "scopes", "mode"?,
 *                                                         "expires_at"? | "expires_in"?} → 201, the secret shown once operator
 * GET    /admin/v1/accounts/{accountId}/keys             → {"data": [...]}, never a secret or a hash                 viewer
 * POST   /admin/v1/accounts/{accountId}/keys/{keyId}/roll {"expire_previous_in", "expires_at"? | "expires_in"?}
 *                                                         → 201, the successor shown once                              operator
 * DELETE /admin/v1/accounts/{accountId}/keys/{keyId}     → 204, revoked                                                operator
 * GET    /admin/v1/keys/{keyId}                          → the key's record with its account                         viewer
 * PUT    /admin/v1/accounts/{accountId}/workspaces/{id}  → 204, ownership recorded                                     operator
 * DELETE /admin/v1/accounts/{accountId}/workspaces/{id}  → 204, ownership removed                                      operator
 * GET    /admin/v1/key-secrets                           → {"data": [{"id", "minting", "live_keys"}], "untagged_keys"} viewer
 * </pre>
 * Every change goes through {@link Changes}. Scopes are immutable: there is no call that changes them.
 *
 * <p>A key's end: {@code expires_at} (RFC 3339) or {@code expires_in} ({@code 30s}, {@code 15m},
 * {@code 24h}, {@code 90d}), in the future and within {@code gateway.admin.max-key-lifetime} when
 * that is set (a key given no end then ends that long after its creation). A roll's
 * {@code expire_previous_in} is {@code 0} (now) or a duration of at most 7 days.
 */
public final class KeysHandler implements AdminRoutes {

    private static final String BASE = "/admin/v1/accounts/{accountId}";
    private static final ApiError KEY_LIMIT = ApiError.of(
            HttpStatus.CONFLICT, "KEY_LIMIT_REACHED", "This account already holds the maximum number of active keys");
    private static final ApiError BAD_ACCOUNT =
            ApiError.validation("accountId must be 1-64 characters of [A-Za-z0-9_-]");
    private static final ApiError ALREADY_ROLLED = ApiError.of(
            HttpStatus.CONFLICT, "KEY_ALREADY_ROLLED", "This key was already rolled; roll its successor instead");
    private static final ApiError ROLL_EXPIRED =
            ApiError.of(HttpStatus.CONFLICT, "KEY_EXPIRED", "This key has expired; create a new one instead");
    private static final ApiError ROLL_UNUSABLE = ApiError.of(
            HttpStatus.CONFLICT, "KEY_UNUSABLE", "This key's record is unusable; revoke it and create a new one");
    private static final Set<String> CREATE_FIELDS =
            Set.of("name", "preset", "scopes", "mode", "expires_at", "expires_in");
    private static final Set<String> ROLL_FIELDS = Set.of("expire_previous_in", "expires_at", "expires_in");
    private static final int MAX_NAME = 100;
    /** The longest overlap of a roll: both keys work at most this long. */
    static final Duration MAX_GRACE = Duration.ofDays(7);
    /** The longest lifetime {@code expires_in} may name when no maximum is configured (ten years). */
    private static final Duration MAX_EXPIRES_IN = Duration.ofDays(3650);

    private final KeysStore store;
    private final Changes changes;
    private final @Nullable Duration maxLifetime;

    KeysHandler(KeysStore store, Changes changes, @Nullable Duration maxLifetime) {
        this.store = store;
        this.changes = changes;
        this.maxLifetime = maxLifetime;
    }

    @Override
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST(BASE + "/keys", this::create)
                .GET(BASE + "/keys", AdminRoutes.read(Role.VIEWER, this::list))
                .POST(BASE + "/keys/{keyId}/roll", this::roll)
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
        return changes.make(
                request, Role.OPERATOR, Action.KEY_CREATE, account, createPlan(accountId, keyId, body(request)));
    }

    /**
     * Creates a key as the console's signed-in operator: {@code body} holds what the JSON body
     * would ({@code name}, {@code preset} or {@code scopes}, {@code mode}, {@code expires_in}), parsed
     * and checked the same way, through the same change unit. A {@link Changes.Done}'s body is the
     * created key's view, its secret under {@code key} (shown once).
     */
    public Mono<Changes.Result> create(Caller caller, String accountId, Map<String, Object> body) {
        String keyId = store.newKeyId();
        return changes.makeAs(
                caller,
                Role.OPERATOR,
                Action.KEY_CREATE,
                Target.account(safe(accountId)),
                createPlan(accountId, keyId, Mono.just(body)));
    }

    /** Rolls a key as the console's operator; {@code body} as the JSON call's ({@code expire_previous_in}). */
    public Mono<Changes.Result> roll(Caller caller, String accountId, String keyId, Map<String, Object> body) {
        String successorId = store.newKeyId();
        return changes.makeAs(
                caller,
                Role.OPERATOR,
                Action.KEY_ROLL,
                Target.key(safe(accountId), safe(keyId)),
                rollPlan(accountId, keyId, successorId, Mono.just(body)));
    }

    /** Revokes a key as the console's operator. */
    public Mono<Changes.Result> revoke(Caller caller, String accountId, String keyId) {
        return changes.makeAs(
                caller,
                Role.OPERATOR,
                Action.KEY_REVOKE,
                Target.key(safe(accountId), safe(keyId)),
                revokePlan(accountId, keyId));
    }

    /** The account's keys as the list call shows them (empty for a malformed id). */
    public Flux<Map<String, Object>> keys(String accountId) {
        return AdminResponses.isId(accountId) ? store.list(accountId) : Flux.empty();
    }

    /** The key's record with its account, as {@code GET /admin/v1/keys/{keyId}} shows it. */
    public Mono<Map<String, Object>> key(String keyId) {
        return AdminResponses.isId(keyId) ? store.find(keyId) : Mono.empty();
    }

    /** The account's workspaces. */
    public Flux<String> workspaces(String accountId) {
        return AdminResponses.isId(accountId) ? store.workspaces(accountId) : Flux.empty();
    }

    /** The id and account of the key with this hash ({@code id}, {@code account_id}); empty when none. */
    public Mono<Map<String, String>> keyOfHash(String hash) {
        return store.idOfHash(hash);
    }

    private static Mono<Map<String, Object>> body(ServerRequest request) {
        return request.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {});
    }

    private Supplier<Mono<Changes.Plan>> createPlan(String accountId, String keyId, Mono<Map<String, Object>> body) {
        Target account = Target.account(safe(accountId));
        Target target = Target.key(accountId, keyId);
        return () -> {
            if (!AdminResponses.isId(accountId)) {
                return Mono.just(new Changes.Invalid(BAD_ACCOUNT, account));
            }
            return plan(
                    body,
                    this::parseCreate,
                    account,
                    parsed -> new Changes.Apply(
                            target,
                            permit -> store.create(permit, accountId, keyId, parsed)
                                    .<Changes.Result>map(
                                            created -> new Changes.Done(HttpStatus.CREATED, createdView(created, null)))
                                    .defaultIfEmpty(new Changes.Refused(KEY_LIMIT))));
        };
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

    private Mono<ServerResponse> roll(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        String successorId = store.newKeyId();
        Target target = Target.key(safe(accountId), safe(keyId));
        return changes.make(
                request,
                Role.OPERATOR,
                Action.KEY_ROLL,
                target,
                rollPlan(accountId, keyId, successorId, body(request)));
    }

    private Supplier<Mono<Changes.Plan>> rollPlan(
            String accountId, String keyId, String successorId, Mono<Map<String, Object>> body) {
        Target target = Target.key(safe(accountId), safe(keyId));
        return () -> {
            if (!AdminResponses.isId(accountId) || !AdminResponses.isId(keyId)) {
                return Mono.just(new Changes.Invalid(ApiError.NOT_FOUND, target));
            }
            return plan(
                    body,
                    this::parseRoll,
                    target,
                    parsed -> new Changes.Apply(
                            target,
                            permit -> store.roll(permit, accountId, keyId, successorId, parsed.grace(), parsed.end())
                                    .map(KeysHandler::rolled)));
        };
    }

    /**
     * The change a JSON object body asks for: parsed by {@code parse} (which throws
     * {@link InvalidRequest} with its reason), or refused as invalid, audited against {@code invalidTarget}.
     */
    private static <T> Mono<Changes.Plan> plan(
            Mono<Map<String, Object>> body,
            Function<Map<String, Object>, T> parse,
            Target invalidTarget,
            Function<T, Changes.Plan> apply) {
        return body.map(parse)
                .onErrorResume(
                        e -> !(e instanceof InvalidRequest),
                        e -> Mono.error(new InvalidRequest("the body must be a JSON object")))
                .switchIfEmpty(Mono.error(new InvalidRequest("the body must be a JSON object")))
                .map(apply)
                .onErrorResume(
                        InvalidRequest.class,
                        e -> Mono.just(new Changes.Invalid(ApiError.validation(e.getMessage()), invalidTarget)));
    }

    private static Changes.Result rolled(KeysStore.Rolled rolled) {
        if (rolled.successor() != null) {
            return new Changes.Done(HttpStatus.CREATED, createdView(rolled.successor(), rolled.previousEnd()));
        }
        return new Changes.Refused(
                switch (Objects.requireNonNull(rolled.refusal())) {
                    case NOT_FOUND -> ApiError.NOT_FOUND;
                    case ALREADY_ROLLED -> ALREADY_ROLLED;
                    case EXPIRED -> ROLL_EXPIRED;
                    case UNUSABLE -> ROLL_UNUSABLE;
                    case KEY_LIMIT -> KEY_LIMIT;
                });
    }

    private Mono<ServerResponse> revoke(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        Target target = Target.key(safe(accountId), safe(keyId));
        return changes.make(request, Role.OPERATOR, Action.KEY_REVOKE, target, revokePlan(accountId, keyId));
    }

    private Supplier<Mono<Changes.Plan>> revokePlan(String accountId, String keyId) {
        Target target = Target.key(safe(accountId), safe(keyId));
        return () -> {
            if (!AdminResponses.isId(accountId) || !AdminResponses.isId(keyId)) {
                return Mono.just(new Changes.Invalid(ApiError.NOT_FOUND, target));
            }
            return Mono.just(new Changes.Apply(
                    target,
                    permit -> store.revoke(permit, accountId, keyId)
                            .map(revoked -> revoked
                                    ? new Changes.Done(HttpStatus.NO_CONTENT, null)
                                    : new Changes.Refused(ApiError.NOT_FOUND))));
        };
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

    private KeysStore.NewKey parseCreate(Map<String, Object> body) {
        for (String field : body.keySet()) {
            if (!CREATE_FIELDS.contains(field)) {
                throw new InvalidRequest("unknown field '" + field + "'");
            }
        }
        if (!(body.get("name") instanceof String name) || name.isBlank() || name.length() > MAX_NAME) {
            throw new InvalidRequest("name is required: a string of 1 to " + MAX_NAME + " characters");
        }
        KeyMode mode = KeyMode.LIVE;
        if (body.containsKey("mode")) {
            mode = body.get("mode") instanceof String m ? KeyMode.fromWireName(m) : null;
            if (mode == null) {
                throw new InvalidRequest("mode must be live or test");
            }
        }
        return new KeysStore.NewKey(name.strip(), scopes(body), mode, end(body, store.now()));
    }

    private static Set<Scope> scopes(Map<String, Object> body) {
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
            return presetScopes;
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
        return parsed;
    }

    /**
     * The end a body asks for ({@code expires_at} or {@code expires_in}, not both), in the future and
     * within the longest lifetime; with neither, the longest lifetime from now, or null (none).
     */
    private @Nullable Instant end(Map<String, Object> body, Instant now) {
        Object at = body.get("expires_at");
        Object in = body.get("expires_in");
        if (at != null && in != null) {
            throw new InvalidRequest("give at most one of expires_at or expires_in");
        }
        Instant end;
        if (at != null) {
            end = at instanceof String text ? rfc3339(text) : null;
            if (end == null) {
                throw new InvalidRequest("expires_at must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z");
            }
            if (!end.isAfter(now)) {
                throw new InvalidRequest("expires_at must be in the future");
            }
        } else if (in != null) {
            Duration duration = in instanceof String text ? ApiDurations.parse(text) : null;
            if (duration == null || duration.compareTo(MAX_EXPIRES_IN) > 0) {
                throw new InvalidRequest("expires_in must be a count and a unit (30s, 15m, 24h, 90d), at most 3650d");
            }
            end = now.plus(duration);
        } else {
            return maxLifetime == null ? null : now.plus(maxLifetime);
        }
        end = end.truncatedTo(ChronoUnit.MILLIS);
        if (maxLifetime != null && end.isAfter(now.plus(maxLifetime))) {
            throw new InvalidRequest(
                    "a key may live at most " + maxLifetimeText() + " (gateway.admin.max-key-lifetime)");
        }
        return end;
    }

    private String maxLifetimeText() {
        Duration max = Objects.requireNonNull(maxLifetime);
        return max.toSeconds() % 86_400 == 0 ? max.toDays() + "d" : max.toSeconds() + "s";
    }

    private RollRequest parseRoll(Map<String, Object> body) {
        for (String field : body.keySet()) {
            if (!ROLL_FIELDS.contains(field)) {
                throw new InvalidRequest("unknown field '" + field + "'");
            }
        }
        Duration grace = body.get("expire_previous_in") instanceof String text ? ApiDurations.parseOrZero(text) : null;
        if (grace == null || grace.compareTo(MAX_GRACE) > 0) {
            throw new InvalidRequest(
                    "expire_previous_in is required: 0 (now) or a count and a unit (30s, 15m, 24h), at most 7d");
        }
        return new RollRequest(grace, end(body, store.now()));
    }

    private static @Nullable Instant rfc3339(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Map<String, Object> createdView(KeysStore.CreatedKey created, @Nullable Instant previousEnd) {
        StoredKey key = created.key();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", key.id());
        view.put("key", created.secret());
        view.put("name", key.name());
        view.put("mode", key.mode().wireName());
        view.put("scopes", key.scopes().stream().map(Scope::wireName).toList());
        view.put("created_at", String.valueOf(key.createdAt()));
        view.put("expires_at", key.expiresAt() == null ? null : key.expiresAt().toString());
        if (key.rolledFrom() != null) {
            view.put("rolled_from", key.rolledFrom());
            view.put("previous_expires_at", String.valueOf(previousEnd));
        }
        return view;
    }

    private record RollRequest(Duration grace, @Nullable Instant end) {}

    private static final class InvalidRequest extends RuntimeException {
        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }
}
