package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RedisSupport;
import ai.powerpost.gateway.support.TestClients;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Every management route against every kind of caller (each role, root, no token, a revoked and
 * an expired operator token): the status, and the audit entry the call left, read from Redis
 * itself and from the {@code audit} logger: exactly one per call that tried to change anything
 * (right actor, action, target and outcome), none for a read or an unauthenticated call.
 */
@GatewayIntegrationTest
class RolesAndAuditIT extends GatewayTestBase {

    enum Who {
        VIEWER,
        OPERATOR,
        ADMIN,
        ROOT,
        NONE,
        REVOKED,
        EXPIRED
    }

    /** A route, what it needs, what it changes, and how to call it as someone (a fresh fixture each time). */
    private record Route(
            String name, Role needed, @Nullable Action action, int success, Function<Fixture, Call> call) {}

    /** One call: method, path, body (null: none), and the target its entry must name (from the answer for creations). */
    private record Call(
            HttpMethod method, String path, @Nullable Object body, Map<String, String> target) {}

    /** What the routes work on: a fresh account with a key and a workspace, and a fresh operator. */
    private record Fixture(String account, CreatedKey key, String workspace, String operatorId) {}

    private static final Map<Who, String> TOKENS = new EnumMap<>(Who.class);
    private static final Map<Who, String> IDS = new EnumMap<>(Who.class);

    private final ListAppender<ILoggingEvent> auditLines = new ListAppender<>();

    @BeforeEach
    void operatorsAndAuditLog() {
        auditLog().addAppender(auditLines);
        auditLines.start();
        if (!TOKENS.isEmpty()) {
            return;
        }
        TOKENS.put(Who.ROOT, ADMIN_TOKEN);
        IDS.put(Who.ROOT, "root");
        for (Who who : List.of(Who.VIEWER, Who.OPERATOR, Who.ADMIN)) {
            Map<String, Object> created = createOperator(who.name().toLowerCase(java.util.Locale.ROOT), null);
            TOKENS.put(who, (String) created.get("token"));
            IDS.put(who, (String) created.get("id"));
        }
        Map<String, Object> revoked = createOperator("viewer", null);
        status(call(ADMIN_TOKEN, HttpMethod.DELETE, "/admin/v1/operators/" + revoked.get("id"), null, "setup"));
        TOKENS.put(Who.REVOKED, (String) revoked.get("token"));
        Map<String, Object> expired = createOperator("admin", "1s");
        TOKENS.put(Who.EXPIRED, (String) expired.get("token"));
        Instant deadline = Instant.now().plusSeconds(5);
        while (status(call(TOKENS.get(Who.EXPIRED), HttpMethod.GET, "/admin/v1/operators", null, "setup")) != 401
                && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
    }

    @AfterEach
    void detach() {
        auditLog().detachAppender(auditLines);
    }

    private static Logger auditLog() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("audit");
    }

    private List<Route> routes() {
        return List.of(
                new Route(
                        "list keys",
                        Role.VIEWER,
                        null,
                        200,
                        f -> new Call(HttpMethod.GET, "/admin/v1/accounts/" + f.account() + "/keys", null, Map.of())),
                new Route(
                        "create key",
                        Role.OPERATOR,
                        Action.KEY_CREATE,
                        201,
                        f -> new Call(
                                HttpMethod.POST,
                                "/admin/v1/accounts/" + f.account() + "/keys",
                                Map.of("name", "matrix", "preset", "read_only"),
                                Map.of("account", f.account()))),
                new Route(
                        "revoke key",
                        Role.OPERATOR,
                        Action.KEY_REVOKE,
                        204,
                        f -> new Call(
                                HttpMethod.DELETE,
                                "/admin/v1/accounts/" + f.account() + "/keys/"
                                        + f.key().id(),
                                null,
                                Map.of("account", f.account(), "key_id", f.key().id()))),
                new Route(
                        "find key",
                        Role.VIEWER,
                        null,
                        200,
                        f -> new Call(
                                HttpMethod.GET, "/admin/v1/keys/" + f.key().id(), null, Map.of())),
                new Route(
                        "grant workspace",
                        Role.OPERATOR,
                        Action.WORKSPACE_GRANT,
                        204,
                        f -> new Call(
                                HttpMethod.PUT,
                                "/admin/v1/accounts/" + f.account() + "/workspaces/" + f.workspace() + "_new",
                                null,
                                Map.of("account", f.account(), "workspace", f.workspace() + "_new"))),
                new Route(
                        "remove workspace",
                        Role.OPERATOR,
                        Action.WORKSPACE_REMOVE,
                        204,
                        f -> new Call(
                                HttpMethod.DELETE,
                                "/admin/v1/accounts/" + f.account() + "/workspaces/" + f.workspace(),
                                null,
                                Map.of("account", f.account(), "workspace", f.workspace()))),
                new Route(
                        "key usage",
                        Role.VIEWER,
                        null,
                        200,
                        f -> new Call(
                                HttpMethod.GET,
                                "/admin/v1/accounts/" + f.account() + "/keys/"
                                        + f.key().id() + "/usage?days=7",
                                null,
                                Map.of())),
                new Route(
                        "anomalies",
                        Role.VIEWER,
                        null,
                        200,
                        f -> new Call(HttpMethod.GET, "/admin/v1/anomalies", null, Map.of())),
                new Route(
                        "key secrets",
                        Role.VIEWER,
                        null,
                        200,
                        f -> new Call(HttpMethod.GET, "/admin/v1/key-secrets", null, Map.of())),
                new Route(
                        "audit",
                        Role.VIEWER,
                        null,
                        200,
                        f -> new Call(HttpMethod.GET, "/admin/v1/audit?account=" + f.account(), null, Map.of())),
                new Route(
                        "create operator",
                        Role.ADMIN,
                        Action.OPERATOR_CREATE,
                        201,
                        f -> new Call(
                                HttpMethod.POST,
                                "/admin/v1/operators",
                                Map.of("name", "matrix made", "role", "viewer"),
                                Map.of())),
                new Route(
                        "list operators",
                        Role.VIEWER,
                        null,
                        200,
                        f -> new Call(HttpMethod.GET, "/admin/v1/operators", null, Map.of())),
                new Route(
                        "revoke operator",
                        Role.ADMIN,
                        Action.OPERATOR_REVOKE,
                        204,
                        f -> new Call(
                                HttpMethod.DELETE,
                                "/admin/v1/operators/" + f.operatorId(),
                                null,
                                Map.of("operator_id", f.operatorId()))));
    }

    @Test
    void everyRouteAgainstEveryCaller() {
        List<String> failures = new ArrayList<>();
        for (Route route : routes()) {
            for (Who who : Who.values()) {
                Fixture fixture = fixture();
                Call call = route.call().apply(fixture);
                String requestId = "matrix-" + UUID.randomUUID();
                auditLines.list.clear();
                EntityExchangeResult<String> result =
                        call(TOKENS.get(who), call.method(), call.path(), call.body(), requestId);
                int status = result.getStatus().value();
                String body = result.getResponseBody();
                String label = route.name() + " as " + who;
                boolean authenticated = who != Who.NONE && who != Who.REVOKED && who != Who.EXPIRED;
                boolean allowed = authenticated && roleOf(who).includes(route.needed());
                int expected = !authenticated ? 401 : allowed ? route.success() : 403;
                if (status != expected) {
                    failures.add(label + ": status " + status + ", expected " + expected + " (" + body + ")");
                    continue;
                }
                if (expected == 403
                        && !(body.contains("\"FORBIDDEN\"")
                                && body.contains(
                                        "requires role " + route.needed().wireName()))) {
                    failures.add(label + ": 403 without FORBIDDEN naming role "
                            + route.needed().wireName() + ": " + body);
                }
                List<StreamMessage<String, String>> entries = entries(requestId);
                long lines = auditLines.list.stream()
                        .filter(line -> line.getFormattedMessage().contains("\"request_id\":\"" + requestId + "\""))
                        .count();
                if (!authenticated || route.action() == null) {
                    if (!entries.isEmpty() || lines != 0) {
                        failures.add(label + ": left " + entries.size() + " entries, " + lines
                                + " audit lines; expected none");
                    }
                    continue;
                }
                if (entries.size() != 1 || lines != 1) {
                    failures.add(
                            label + ": left " + entries.size() + " entries, " + lines + " audit lines; expected one");
                    continue;
                }
                StreamMessage<String, String> entry = entries.get(0);
                Map<String, String> fields = entry.getBody();
                String outcome = outcome(entry);
                String expectedOutcome = allowed ? "done" : "refused FORBIDDEN";
                Map<String, String> target = new java.util.HashMap<>(call.target());
                if (allowed && route.action() == Action.KEY_CREATE) {
                    target.put("key_id", json(body, "id"));
                }
                if (allowed && route.action() == Action.OPERATOR_CREATE) {
                    target.put("operator_id", json(body, "id"));
                }
                List<String> wrong = new ArrayList<>();
                if (!IDS.get(who).equals(fields.get("actor"))) {
                    wrong.add("actor " + fields.get("actor"));
                }
                if (!route.action().wireName().equals(fields.get("action"))) {
                    wrong.add("action " + fields.get("action"));
                }
                if (!expectedOutcome.equals(outcome)) {
                    wrong.add("outcome " + outcome + " (expected " + expectedOutcome + ")");
                }
                for (String field : List.of("account", "key_id", "workspace", "operator_id")) {
                    String want = target.get(field);
                    if (want != null && !want.equals(fields.get(field))) {
                        wrong.add(field + " " + fields.get(field) + " (expected " + want + ")");
                    }
                }
                if (!"127.0.0.1".equals(fields.get("client")) || fields.get("at") == null) {
                    wrong.add("client " + fields.get("client") + ", at " + fields.get("at"));
                }
                String line = auditLines.list.get(auditLines.list.size() - 1).getFormattedMessage();
                if (!line.contains("\"outcome\":\"" + expectedOutcome.split(" ")[0] + "\"")) {
                    wrong.add("audit line " + line);
                }
                if (!wrong.isEmpty()) {
                    failures.add(label + ": entry " + fields + " has " + wrong);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void refusedValidationIsRecordedWithItsCode() {
        String account = unique("acct");
        String requestId = "invalid-" + UUID.randomUUID();
        EntityExchangeResult<String> result = call(
                TOKENS.get(Who.OPERATOR),
                HttpMethod.POST,
                "/admin/v1/accounts/" + account + "/keys",
                Map.of("name", "x", "preset", "god_mode"),
                requestId);
        assertThat(result.getStatus().value()).isEqualTo(400);
        List<StreamMessage<String, String>> entries = entries(requestId);
        assertThat(entries).hasSize(1);
        assertThat(outcome(entries.get(0))).isEqualTo("refused VALIDATION_ERROR");
        assertThat(entries.get(0).getBody())
                .containsEntry("actor", IDS.get(Who.OPERATOR))
                .containsEntry("action", "key.create")
                .containsEntry("account", account);
        assertThat(listKeys(account)).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAuditTrailIsQueriedNewestFirstWithFiltersAndACursor() {
        String account = unique("acct");
        Instant before = Instant.now().minusSeconds(1);
        List<String> keyIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            keyIds.add(json(
                    call(
                                    TOKENS.get(Who.OPERATOR),
                                    HttpMethod.POST,
                                    "/admin/v1/accounts/" + account + "/keys",
                                    Map.of("name", "k" + i, "preset", "read_only"),
                                    "q-" + UUID.randomUUID())
                            .getResponseBody(),
                    "id"));
        }
        call(ADMIN_TOKEN, HttpMethod.PUT, "/admin/v1/accounts/" + account + "/workspaces/ws_q", null, "q-root");
        WebTestClient viewer = TestClients.to(managementPort)
                .mutate()
                .defaultHeader("Authorization", "Bearer " + TOKENS.get(Who.VIEWER))
                .build();

        Map<String, Object> first = viewer.get()
                .uri(
                        "/admin/v1/audit?account={a}&actor={o}&action=key.create&since={s}&limit=2",
                        account,
                        IDS.get(Who.OPERATOR),
                        before.toString())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        List<Map<String, Object>> page = (List<Map<String, Object>>) first.get("data");
        assertThat(page)
                .extracting(e -> ((Map<String, Object>) e.get("target")).get("key_id"))
                .containsExactly(keyIds.get(2), keyIds.get(1));
        assertThat(page.get(0))
                .containsEntry("action", "key.create")
                .containsEntry("outcome", "done")
                .containsEntry("client", "127.0.0.1");
        assertThat((Map<String, Object>) page.get(0).get("actor"))
                .containsEntry("id", IDS.get(Who.OPERATOR))
                .containsEntry("name", "operator")
                .containsEntry("role", "operator");
        String cursor = (String) first.get("next_cursor");
        assertThat(cursor).isNotNull();

        Map<String, Object> second = viewer.get()
                .uri("/admin/v1/audit?account={a}&action=key.create&limit=2&cursor={c}", account, cursor)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        assertThat((List<Map<String, Object>>) second.get("data"))
                .extracting(e -> ((Map<String, Object>) e.get("target")).get("key_id"))
                .containsExactly(keyIds.get(0));

        Map<String, Object> byRoot = viewer.get()
                .uri("/admin/v1/audit?account={a}&actor=root", account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        assertThat((List<Map<String, Object>>) byRoot.get("data"))
                .singleElement()
                .satisfies(e -> assertThat(e).containsEntry("action", "workspace.grant"));

        viewer.get()
                .uri("/admin/v1/audit?action=key.destroy")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("VALIDATION_ERROR");
        viewer.get()
                .uri("/admin/v1/audit?cursor=nope")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(Void.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aKeyIsFoundByItsIdAloneAndAnOperatorsLastUseIsListed() {
        Tenant tenant = tenant("draft_only");
        Map<String, Object> found = TestClients.to(managementPort)
                .get()
                .uri("/admin/v1/keys/{k}", tenant.key().id())
                .header("Authorization", "Bearer " + TOKENS.get(Who.VIEWER))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        assertThat(found)
                .containsEntry("account_id", tenant.accountId())
                .containsEntry("id", tenant.key().id())
                .containsEntry("name", "test draft_only")
                .containsKeys("scopes", "created_at", "last_used_at")
                .doesNotContainKey("key");
        revoke(tenant.key());
        TestClients.to(managementPort)
                .get()
                .uri("/admin/v1/keys/{k}", tenant.key().id())
                .header("Authorization", "Bearer " + TOKENS.get(Who.VIEWER))
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(Void.class);

        // the viewer has just been used: its last use reaches the list within the flush interval
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        Object lastUsed;
        do {
            List<Map<String, Object>> operators = (List<Map<String, Object>>) admin.get()
                    .uri("/admin/v1/operators")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Map.class)
                    .returnResult()
                    .getResponseBody()
                    .get("data");
            lastUsed = operators.stream()
                    .filter(o -> IDS.get(Who.VIEWER).equals(o.get("id")))
                    .findFirst()
                    .orElseThrow()
                    .get("last_used_at");
        } while (lastUsed == null && Instant.now().isBefore(deadline));
        assertThat(lastUsed).isNotNull();
    }

    @Test
    void badOperatorRequestsAre400AndRecorded() {
        for (Object body : List.<Object>of(
                Map.of("name", "x", "role", "god"),
                Map.of("role", "viewer"),
                Map.of("name", "x", "role", "viewer", "expires_in", "forever"),
                Map.of("name", "x", "role", "viewer", "expires_in", "99999d"),
                Map.of("name", "x", "role", "viewer", "extra", 1),
                "{not json")) {
            String requestId = "badop-" + UUID.randomUUID();
            EntityExchangeResult<String> result =
                    call(TOKENS.get(Who.ADMIN), HttpMethod.POST, "/admin/v1/operators", body, requestId);
            assertThat(result.getStatus().value()).as("%s", body).isEqualTo(400);
            assertThat(entries(requestId))
                    .singleElement()
                    .satisfies(e -> assertThat(outcome(e)).isEqualTo("refused VALIDATION_ERROR"));
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private static Role roleOf(Who who) {
        return switch (who) {
            case VIEWER -> Role.VIEWER;
            case OPERATOR -> Role.OPERATOR;
            default -> Role.ADMIN;
        };
    }

    private Fixture fixture() {
        String account = unique("acct");
        String workspace = unique("ws");
        addWorkspace(account, workspace);
        CreatedKey key = createKey(account, "read_only");
        String operatorId = (String) createOperator("viewer", null).get("id");
        return new Fixture(account, key, workspace, operatorId);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> createOperator(String role, @Nullable String expiresIn) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", role, "role", role));
        if (expiresIn != null) {
            body.put("expires_in", expiresIn);
        }
        return admin.post()
                .uri("/admin/v1/operators")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
    }

    private EntityExchangeResult<String> call(
            @Nullable String token, HttpMethod method, String path, @Nullable Object body, String requestId) {
        WebTestClient.RequestBodySpec request =
                TestClients.to(managementPort).method(method).uri(path).header("X-Request-Id", requestId);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        WebTestClient.RequestHeadersSpec<?> sent = body == null
                ? request
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        return sent.exchange().expectBody(String.class).returnResult();
    }

    private static int status(EntityExchangeResult<String> result) {
        return result.getStatus().value();
    }

    /** The audit entries with this request id, among the newest of the stream. */
    private static List<StreamMessage<String, String>> entries(String requestId) {
        return RedisSupport.redis()
                .commands()
                .xrevrange(RedisSchema.AUDIT, Range.create("-", "+"), Limit.from(500))
                .stream()
                .filter(message -> requestId.equals(message.getBody().get("request_id")))
                .toList();
    }

    /** The entry's outcome as it stands: its own, or the one recorded beside it ("done", "refused CODE"). */
    private static String outcome(StreamMessage<String, String> entry) {
        String recorded = RedisSupport.redis().commands().get(RedisSchema.auditOutcome(entry.getId()));
        if (recorded != null) {
            return recorded;
        }
        String code = entry.getBody().get("code");
        return entry.getBody().get("outcome") + (code == null ? "" : " " + code);
    }

    private static String json(String body, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\":\"([^\"]*)\"")
                .matcher(body);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + body);
        }
        return m.group(1);
    }
}
