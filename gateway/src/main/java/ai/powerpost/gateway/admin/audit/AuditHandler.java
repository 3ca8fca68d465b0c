package ai.powerpost.gateway.admin.audit;

import ai.powerpost.gateway.admin.Action;
import ai.powerpost.gateway.admin.AdminResponses;
import ai.powerpost.gateway.admin.AdminRoutes;
import ai.powerpost.gateway.admin.AuditEntry;
import ai.powerpost.gateway.admin.AuditStore;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.errors.ApiError;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The audit trail, on the management port only (role {@code viewer}; reading it is not itself audited):
 * <pre>
 * GET /admin/v1/audit?account=&amp;actor=&amp;action=&amp;since=&amp;limit=&amp;cursor=
 *     → {"data": [entries, newest first], "next_cursor": "…" | null}
 * </pre>
 * {@code actor} is an operator id or {@code root}; {@code action} one of {@link Action}'s names
 * ({@code key.create}, ...); {@code since} an ISO-8601 instant; {@code limit} 1 to 200 (50);
 * {@code cursor} the {@code next_cursor} of the page before.
 */
final class AuditHandler implements AdminRoutes {

    private static final Set<String> PARAMETERS = Set.of("account", "actor", "action", "since", "limit", "cursor");
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private final AuditStore audit;

    AuditHandler(AuditStore audit) {
        this.audit = audit;
    }

    @Override
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .GET("/admin/v1/audit", AdminRoutes.read(Role.VIEWER, this::query))
                .build();
    }

    private Mono<ServerResponse> query(ServerRequest request) {
        AuditStore.Query query;
        try {
            query = parse(request);
        } catch (IllegalArgumentException e) {
            return AdminResponses.error(ApiError.validation(e.getMessage()));
        }
        return audit.query(query).flatMap(page -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("data", page.entries().stream().map(AuditEntry::view).toList());
            body.put("next_cursor", page.nextCursor());
            return AdminResponses.ok(body);
        });
    }

    private static AuditStore.Query parse(ServerRequest request) {
        for (String name : request.queryParams().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new IllegalArgumentException("unknown parameter '" + name + "'");
            }
            if (request.queryParams().get(name).size() != 1) {
                throw new IllegalArgumentException("parameter '" + name + "' given more than once");
            }
        }
        String account = id(request, "account");
        String actor = id(request, "actor");
        String action = request.queryParam("action").orElse(null);
        if (action != null && Action.fromWireName(action) == null) {
            throw new IllegalArgumentException("unknown action; use one of "
                    + String.join(
                            ", ",
                            java.util.Arrays.stream(Action.values())
                                    .map(Action::wireName)
                                    .toList()));
        }
        Instant since = null;
        String sinceText = request.queryParam("since").orElse(null);
        if (sinceText != null) {
            try {
                since = Instant.parse(sinceText);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("since must be an ISO-8601 instant, such as 2026-01-31T00:00:00Z");
            }
        }
        int limit = DEFAULT_LIMIT;
        String limitText = request.queryParam("limit").orElse(null);
        if (limitText != null) {
            if (!limitText.matches("[0-9]{1,3}")
                    || Integer.parseInt(limitText) < 1
                    || Integer.parseInt(limitText) > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
            }
            limit = Integer.parseInt(limitText);
        }
        String cursor = request.queryParam("cursor").orElse(null);
        if (cursor != null && !AuditStore.isEntryId(cursor)) {
            throw new IllegalArgumentException("cursor must be a next_cursor this API returned");
        }
        return new AuditStore.Query(account, actor, action, since, limit, cursor);
    }

    private static @Nullable String id(ServerRequest request, String name) {
        String value = request.queryParam(name).orElse(null);
        if (value != null && !AdminResponses.isId(value)) {
            throw new IllegalArgumentException(name + " must be 1-64 characters of [A-Za-z0-9_-]");
        }
        return value;
    }
}
