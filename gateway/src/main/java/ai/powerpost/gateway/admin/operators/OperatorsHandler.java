package ai.powerpost.gateway.admin.operators;

import ai.powerpost.gateway.admin.Action;
import ai.powerpost.gateway.admin.AdminResponses;
import ai.powerpost.gateway.admin.AdminRoutes;
import ai.powerpost.gateway.admin.ApiDurations;
import ai.powerpost.gateway.admin.Caller;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.admin.Target;
import ai.powerpost.gateway.errors.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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
 * The named operators, on the management port only:
 * <pre>
 * POST   /admin/v1/operators       {"name", "role", "expires_in"?} → 201, the token shown once   admin
 * GET    /admin/v1/operators       → {"data": [...]}, each with its last use; never a token     viewer
 * DELETE /admin/v1/operators/{id}  → 204, its token refused from now on, on every replica       admin
 * </pre>
 * {@code expires_in} is a count and a unit: {@code 30s}, {@code 15m}, {@code 24h}, {@code 90d} (at
 * most 3650 days); without it the token does not expire.
 */
final class OperatorsHandler implements AdminRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("name", "role", "expires_in");
    private static final int MAX_NAME = 100;
    private static final Duration MAX_EXPIRY = Duration.ofDays(3650);

    private final OperatorStore store;
    private final Changes changes;

    OperatorsHandler(OperatorStore store, Changes changes) {
        this.store = store;
        this.changes = changes;
    }

    @Override
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/admin/v1/operators", this::create)
                .GET("/admin/v1/operators", AdminRoutes.read(Role.VIEWER, this::list))
                .DELETE("/admin/v1/operators/{operatorId}", this::revoke)
                .build();
    }

    private Mono<ServerResponse> create(ServerRequest request) {
        String id = store.newId();
        Target target = Target.operator(id);
        return changes.make(
                request,
                Role.ADMIN,
                Action.OPERATOR_CREATE,
                Target.operator(null),
                () -> request.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {})
                        .map(OperatorsHandler::parseCreate)
                        .onErrorResume(
                                e -> !(e instanceof InvalidRequest),
                                e -> Mono.error(new InvalidRequest("the body must be a JSON object")))
                        .switchIfEmpty(Mono.error(new InvalidRequest("the body must be a JSON object")))
                        .<Changes.Plan>map(parsed -> new Changes.Apply(
                                target,
                                permit -> store.create(
                                                permit,
                                                id,
                                                parsed.name(),
                                                parsed.role(),
                                                parsed.expiresIn() == null
                                                        ? null
                                                        : Instant.now().plus(parsed.expiresIn()),
                                                Caller.of(request).actor().id())
                                        .map(created -> new Changes.Done(HttpStatus.CREATED, createdView(created)))))
                        .onErrorResume(
                                InvalidRequest.class,
                                e -> Mono.just(new Changes.Invalid(
                                        ApiError.validation(e.getMessage()), Target.operator(null)))));
    }

    private Mono<ServerResponse> list(ServerRequest request) {
        Instant now = Instant.now();
        return store.list()
                .map(operator -> view(operator, now))
                .collectList()
                .flatMap(operators -> AdminResponses.ok(Map.of("data", operators)));
    }

    private Mono<ServerResponse> revoke(ServerRequest request) {
        String id = request.pathVariable("operatorId");
        Target target = Target.operator(AdminResponses.isId(id) ? id : null);
        return changes.make(
                request,
                Role.ADMIN,
                Action.OPERATOR_REVOKE,
                target,
                () -> Mono.just(
                        AdminResponses.isId(id)
                                ? new Changes.Apply(
                                        target,
                                        permit -> store.revoke(permit, id)
                                                .map(revoked -> revoked
                                                        ? new Changes.Done(HttpStatus.NO_CONTENT, null)
                                                        : new Changes.Refused(ApiError.NOT_FOUND)))
                                : new Changes.Invalid(ApiError.NOT_FOUND, target)));
    }

    private record CreateRequest(
            String name, Role role, @Nullable Duration expiresIn) {}

    private static CreateRequest parseCreate(Map<String, Object> body) {
        for (String field : body.keySet()) {
            if (!CREATE_FIELDS.contains(field)) {
                throw new InvalidRequest("unknown field '" + field + "'");
            }
        }
        if (!(body.get("name") instanceof String name)
                || name.isBlank()
                || name.length() > MAX_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequest("name is required: a string of 1 to " + MAX_NAME + " printable characters");
        }
        Role role = body.get("role") instanceof String wire ? Role.fromWireName(wire) : null;
        if (role == null) {
            throw new InvalidRequest("role is required: viewer, operator or admin");
        }
        Object expiresIn = body.get("expires_in");
        Duration expiry = null;
        if (expiresIn != null) {
            expiry = expiresIn instanceof String text ? ApiDurations.parse(text) : null;
            if (expiry == null || expiry.compareTo(MAX_EXPIRY) > 0) {
                throw new InvalidRequest("expires_in must be a count and a unit (30s, 15m, 24h, 90d), at most 3650d");
            }
        }
        return new CreateRequest(name.strip(), role, expiry);
    }

    private static Map<String, Object> createdView(OperatorStore.Created created) {
        Map<String, Object> view = view(created.operator(), Instant.now());
        view.put("token", created.token());
        return view;
    }

    private static Map<String, Object> view(Operator operator, Instant now) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", operator.id());
        view.put("name", operator.name());
        view.put("role", operator.role().wireName());
        view.put("created_at", operator.createdAt().toString());
        view.put("created_by", operator.createdBy());
        view.put(
                "expires_at",
                operator.expiresAt() == null ? null : operator.expiresAt().toString());
        view.put("expired", operator.expiredAt(now));
        view.put(
                "last_used_at",
                operator.lastUsedAt() == null ? null : operator.lastUsedAt().toString());
        return view;
    }

    private static final class InvalidRequest extends RuntimeException {
        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }
}
