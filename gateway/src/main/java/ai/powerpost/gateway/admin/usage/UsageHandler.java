package ai.powerpost.gateway.admin.usage;

import ai.powerpost.gateway.admin.AdminResponses;
import ai.powerpost.gateway.admin.AdminRoutes;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.usage.Finding;
import ai.powerpost.gateway.usage.KeyUsage;
import ai.powerpost.gateway.usage.UsageQueries;
import ai.powerpost.gateway.usage.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Usage per key and unexpected activity, on the management port only (role {@code viewer}; reads
 * are not audited):
 * <pre>
 * GET /admin/v1/accounts/{accountId}/keys/{keyId}/usage?days=30   (1-35, default 30)
 *     → {"key_id", "days": [{"date", "requests", "requests_by_route", "answers_by_status_class"}],
 *        "networks": [{"cidr", "first_seen", "last_seen", "requests"}]}     404 for a key the account does not hold
 * GET /admin/v1/anomalies?since=                                   (RFC 3339, default 24 hours ago)
 *     → {"data": [{"id", "account_id", "key_id", "rule", "at", "evidence"}, ... newest first, at most 500]}
 * </pre>
 */
final class UsageHandler implements AdminRoutes {

    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 35;
    private static final Duration DEFAULT_SINCE = Duration.ofHours(24);

    private final UsageQueries usage;
    private final Clock clock;

    UsageHandler(UsageQueries usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    @Override
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .GET("/admin/v1/accounts/{accountId}/keys/{keyId}/usage", AdminRoutes.read(Role.VIEWER, this::usage))
                .GET("/admin/v1/anomalies", AdminRoutes.read(Role.VIEWER, this::anomalies))
                .build();
    }

    private Mono<ServerResponse> usage(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        if (!AdminResponses.isId(accountId) || !AdminResponses.isId(keyId)) {
            return AdminResponses.error(ApiError.NOT_FOUND);
        }
        String unknown = unknownParameter(request, "days");
        if (unknown != null) {
            return AdminResponses.error(ApiError.validation("unknown parameter '" + unknown + "'"));
        }
        List<String> given = request.queryParams().getOrDefault("days", List.of());
        int days = DEFAULT_DAYS;
        if (!given.isEmpty()) {
            String text = given.get(0);
            if (given.size() != 1
                    || !text.matches("[0-9]{1,2}")
                    || Integer.parseInt(text) < 1
                    || Integer.parseInt(text) > MAX_DAYS) {
                return AdminResponses.error(ApiError.validation("days must be a whole number from 1 to " + MAX_DAYS));
            }
            days = Integer.parseInt(text);
        }
        return usage.usage(accountId, keyId, days)
                .flatMap(found -> AdminResponses.ok(view(found)))
                .switchIfEmpty(Mono.defer(() -> AdminResponses.error(ApiError.NOT_FOUND)));
    }

    private Mono<ServerResponse> anomalies(ServerRequest request) {
        String unknown = unknownParameter(request, "since");
        if (unknown != null) {
            return AdminResponses.error(ApiError.validation("unknown parameter '" + unknown + "'"));
        }
        List<String> given = request.queryParams().getOrDefault("since", List.of());
        Instant since = clock.instant().minus(DEFAULT_SINCE);
        if (!given.isEmpty()) {
            try {
                if (given.size() != 1) {
                    throw new DateTimeParseException("twice", given.toString(), 0);
                }
                since = OffsetDateTime.parse(given.get(0)).toInstant();
            } catch (DateTimeParseException e) {
                return AdminResponses.error(
                        ApiError.validation("since must be an RFC 3339 time, such as 2026-01-31T00:00:00Z"));
            }
        }
        return usage.findings(since)
                .take(UsageStore.MAX_FINDINGS)
                .map(UsageHandler::view)
                .collectList()
                .flatMap(data -> AdminResponses.ok(Map.of("data", data)));
    }

    /** The first query parameter that is not {@code allowed} (a misspelt one is refused, not ignored), or null. */
    private static @Nullable String unknownParameter(ServerRequest request, String allowed) {
        return request.queryParams().keySet().stream()
                .filter(name -> !name.equals(allowed))
                .findFirst()
                .orElse(null);
    }

    static Map<String, Object> view(KeyUsage usage) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key_id", usage.keyId());
        body.put(
                "days",
                usage.days().stream()
                        .map(day -> {
                            Map<String, Object> view = new LinkedHashMap<>();
                            view.put("date", day.date().toString());
                            view.put(
                                    "requests",
                                    day.requestsByRoute().values().stream()
                                            .mapToLong(Long::longValue)
                                            .sum());
                            view.put("requests_by_route", day.requestsByRoute());
                            view.put("answers_by_status_class", day.answersByStatusClass());
                            return view;
                        })
                        .toList());
        body.put(
                "networks",
                usage.networks().stream()
                        .map(network -> {
                            Map<String, Object> view = new LinkedHashMap<>();
                            view.put("cidr", network.cidr());
                            view.put("first_seen", network.firstSeen().toString());
                            view.put("last_seen", network.lastSeen().toString());
                            view.put("requests", network.requests());
                            return view;
                        })
                        .toList());
        return body;
    }

    static Map<String, Object> view(Finding finding) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", finding.id());
        view.put("account_id", finding.accountId());
        view.put("key_id", finding.keyId());
        view.put("rule", finding.rule());
        view.put("at", finding.at().toString());
        view.put("evidence", finding.evidence());
        return view;
    }
}
