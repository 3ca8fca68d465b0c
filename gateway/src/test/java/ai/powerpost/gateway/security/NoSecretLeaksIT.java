package ai.powerpost.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A full run's worth of traffic (every kind of success and failure, the key management API, an
 * unreachable upstream, named operators and their tokens, good, unknown and malformed), with all
 * log output captured (the audit trail's lines too), the gateway's own loggers at DEBUG. Then no
 * log line, no response body, no metric, no audit entry and no Redis key name holds any key or
 * operator token that was used, nor (in logs, bodies, metrics and audit entries) its hash.
 */
class NoSecretLeaksIT {

    @Test
    @SuppressWarnings("unchecked")
    void noKeyAppearsInLogsBodiesMetricsOrRedisKeyNames() {
        List<String> secrets = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        try (RecordingUpstream upstream = new RecordingUpstream()) {
            GatewayInstance gateway = GatewayInstance.start(
                    upstream,
                    Map.of(
                            "logging.level.ai.powerpost",
                            "DEBUG",
                            "gateway.leaks.report.enabled",
                            "true",
                            "gateway.leaks.report.max-per-address",
                            "1000"));
            GatewayInstance dead = null;
            Logger root =
                    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            // the audit trail's lines too (its logger writes to its own appender only)
            Logger audit = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("audit");
            captured.start();
            root.addAppender(captured);
            audit.addAppender(captured);
            try {
                String account = "acct_leak_" + System.nanoTime();
                gateway.admin()
                        .put()
                        .uri("/admin/v1/accounts/{a}/workspaces/ws_leak", account)
                        .exchange()
                        .expectStatus()
                        .isNoContent()
                        .expectBody()
                        .isEmpty();
                // named operators: made by root, one of them then makes a key; unknown and
                // malformed operator tokens are refused
                Map<String, Object> operator = gateway.admin()
                        .post()
                        .uri("/admin/v1/operators")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("name", "leak operator", "role", "operator"))
                        .exchange()
                        .expectStatus()
                        .isCreated()
                        .expectBody(Map.class)
                        .returnResult()
                        .getResponseBody();
                String operatorToken = (String) operator.get("token");
                secrets.add(operatorToken);
                secrets.add("ppgw_op_" + "A".repeat(43));
                secrets.add("ppgw_op_" + UUID.randomUUID() + "!");
                WebTestClient management = ai.powerpost.gateway.support.TestClients.to(gateway.managementPort());
                for (String token : secrets) {
                    bodies.add(body(
                            management.get().uri("/admin/v1/operators").header("Authorization", "Bearer " + token)));
                    bodies.add(body(management
                            .put()
                            .uri("/admin/v1/accounts/{a}/workspaces/ws_leak_op", account)
                            .header("Authorization", "Bearer " + token)));
                }
                Map<String, Object> byOperator = management
                        .post()
                        .uri("/admin/v1/accounts/{a}/keys", account)
                        .header("Authorization", "Bearer " + operatorToken)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("name", "by operator", "preset", "read_only"))
                        .exchange()
                        .expectStatus()
                        .isCreated()
                        .expectBody(Map.class)
                        .returnResult()
                        .getResponseBody();
                secrets.add((String) byOperator.get("key"));
                bodies.add(body(gateway.admin().get().uri("/admin/v1/operators")));
                bodies.add(body(gateway.admin().get().uri("/admin/v1/audit?account={a}", account)));
                bodies.add(body(gateway.admin().get().uri("/admin/v1/keys/{k}", byOperator.get("id"))));
                gateway.admin()
                        .delete()
                        .uri("/admin/v1/operators/{id}", operator.get("id"))
                        .exchange()
                        .expectStatus()
                        .isNoContent()
                        .expectBody()
                        .isEmpty();
                bodies.add(body(management
                        .get()
                        .uri("/admin/v1/operators")
                        .header("Authorization", "Bearer " + operatorToken)));
                List<String> presetKeys = new ArrayList<>();
                for (String preset : List.of("full_access", "draft_only", "read_only")) {
                    Map<String, Object> created = gateway.admin()
                            .post()
                            .uri("/admin/v1/accounts/{a}/keys", account)
                            .contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(Map.of("name", preset, "preset", preset))
                            .exchange()
                            .expectStatus()
                            .isCreated()
                            .expectBody(Map.class)
                            .returnResult()
                            .getResponseBody();
                    secrets.add((String) created.get("key"));
                    presetKeys.add((String) created.get("key"));
                }
                String unknown = "pp_live_sk_" + UUID.randomUUID().toString().replace("-", "");
                String malformed = "pp_live_sk_" + UUID.randomUUID() + "!";
                secrets.add(unknown);
                secrets.add(malformed);
                WebTestClient client = gateway.client();
                for (String key : secrets) {
                    bodies.add(body(client.get()
                            .uri("/api/v1/posts/p1")
                            .header("x-api-key", key)
                            .header("X-Workspace-Id", "ws_leak")));
                    bodies.add(body(client.post()
                            .uri("/api/v1/posts/p1/publish")
                            .header("Authorization", "Bearer " + key)
                            .header("X-Workspace-Id", "ws_leak")));
                    bodies.add(body(client.get().uri("/api/v1/posts/p1").header("x-api-key", key)));
                    bodies.add(body(client.get()
                            .uri("/api/v1/posts/p1")
                            .header("x-api-key", key)
                            .header("X-Workspace-Id", "ws_other")));
                    bodies.add(body(client.get()
                            .uri("/api/v1/account/credits")
                            .header("x-api-key", key)
                            .header("Authorization", "Basic " + key)));
                    bodies.add(body(client.get().uri("/api/v1/nope").header("x-api-key", key)));
                    bodies.add(body(client.get().uri("/api/v1/../x").header("x-api-key", key)));
                    bodies.add(body(client.get()
                            .uri("/api/v1/account/credits")
                            .header("x-api-key", key)
                            .header("X-Test-Status", "500")));
                }
                // reported as leaked: the operator's key (revoked so, audited as public-report),
                // unknown and malformed keys, operator tokens; the preset keys are revoked below
                for (String secret : secrets) {
                    if (!presetKeys.contains(secret)) {
                        bodies.add(body(client.post()
                                .uri("/secret-scanning/report")
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(Map.of("key", secret))));
                    }
                }
                awaitRevoked(gateway, account, (String) byOperator.get("id"));
                bodies.add(body(gateway.admin().get().uri("/admin/v1/audit?account={a}&actor=public-report", account)));
                bodies.add(body(gateway.admin().get().uri("/admin/v1/accounts/{a}/keys", account)));
                bodies.add(body(gateway.admin().get().uri("/admin/v1/key-secrets")));
                Map<String, Object> listed = gateway.admin()
                        .get()
                        .uri("/admin/v1/accounts/{a}/keys", account)
                        .exchange()
                        .expectBody(Map.class)
                        .returnResult()
                        .getResponseBody();
                for (Map<String, Object> key : (List<Map<String, Object>>) listed.get("data")) {
                    gateway.admin()
                            .delete()
                            .uri("/admin/v1/accounts/{a}/keys/{k}", account, key.get("id"))
                            .exchange()
                            .expectStatus()
                            .isNoContent()
                            .expectBody()
                            .isEmpty();
                }
                bodies.add(body(client.get().uri("/api/v1/account/credits").header("x-api-key", secrets.get(0))));
                // an upstream that does not answer at all (starting it resets logging: re-attach after)
                root.detachAppender(captured);
                audit.detachAppender(captured);
                dead = GatewayInstance.start(
                        new RecordingUpstream(),
                        Map.of(
                                "GATEWAY_UPSTREAM_POWERPOST",
                                "http://127.0.0.1:" + ai.powerpost.gateway.support.FreePorts.unused(),
                                "logging.level.ai.powerpost",
                                "DEBUG"));
                captured.start();
                root.addAppender(captured);
                audit = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("audit");
                audit.addAppender(captured);
                String deadKey = (String) dead.admin()
                        .post()
                        .uri("/admin/v1/accounts/{a}/keys", account + "_dead")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("name", "d", "preset", "read_only"))
                        .exchange()
                        .expectStatus()
                        .isCreated()
                        .expectBody(Map.class)
                        .returnResult()
                        .getResponseBody()
                        .get("key");
                secrets.add(deadKey);
                bodies.add(
                        body(dead.client().get().uri("/api/v1/account/credits").header("x-api-key", deadKey)));
                bodies.add(gateway.admin()
                        .get()
                        .uri("/actuator/prometheus")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody(String.class)
                        .returnResult()
                        .getResponseBody());
            } finally {
                root.detachAppender(captured);
                ((LoggerContext) LoggerFactory.getILoggerFactory())
                        .getLogger("audit")
                        .detachAppender(captured);
                gateway.close();
                if (dead != null) {
                    dead.close();
                }
            }
        }
        List<String> logLines =
                captured.list.stream().map(NoSecretLeaksIT::render).toList();
        assertThat(logLines).as("captured log lines").anyMatch(line -> line.contains("BAD_GATEWAY"));
        assertThat(logLines)
                .as("audit lines")
                .anyMatch(line -> line.startsWith("audit ") && line.contains("operator.create"));
        List<String> redisKeys = RedisSupport.redis().commands().keys("*");
        // every audit entry in Redis, as stored
        List<String> auditEntries = RedisSupport.redis()
                .commands()
                .xrange(ai.powerpost.gateway.redis.RedisSchema.AUDIT, io.lettuce.core.Range.create("-", "+"))
                .stream()
                .map(message -> message.getBody().toString())
                .toList();
        assertThat(auditEntries).isNotEmpty();
        for (String secret : secrets) {
            String hash = ApiKeys.hash(secret);
            assertThat(auditEntries).noneMatch(entry -> entry.contains(secret) || entry.contains(hash));
            assertThat(logLines).noneMatch(line -> line.contains(secret) || line.contains(hash));
            assertThat(bodies).noneMatch(body -> body != null && (body.contains(secret) || body.contains(hash)));
            assertThat(redisKeys).noneMatch(name -> name.contains(secret));
        }
        // nor the key-tag secret, as configured or decoded
        String tagSecret = GatewayTestBase.KEY_SECRET;
        String decoded = new String(
                java.util.Base64.getDecoder().decode(tagSecret), java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String form : List.of(tagSecret, decoded)) {
            assertThat(logLines).noneMatch(line -> line.contains(form));
            assertThat(bodies).noneMatch(body -> body != null && body.contains(form));
            assertThat(redisKeys).noneMatch(name -> name.contains(form));
        }
        assertThat(bodies).anyMatch(body -> body != null && body.contains("\"minting\":true"));
    }

    private static String body(WebTestClient.RequestHeadersSpec<?> request) {
        return request.exchange().expectBody(String.class).returnResult().getResponseBody();
    }

    private static String render(ILoggingEvent event) {
        String line = event.getLoggerName() + " " + event.getFormattedMessage();
        if (event.getThrowableProxy() != null) {
            line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
        }
        return line + " " + event.getMDCPropertyMap();
    }

    /** Waits (bounded, on the test thread) until the account's key list no longer holds {@code keyId}. */
    @SuppressWarnings("unchecked")
    private static void awaitRevoked(GatewayInstance gateway, String account, String keyId) {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            Map<String, Object> listed = gateway.admin()
                    .get()
                    .uri("/admin/v1/accounts/{a}/keys", account)
                    .exchange()
                    .expectBody(Map.class)
                    .returnResult()
                    .getResponseBody();
            if (((List<Map<String, Object>>) listed.get("data")).stream().noneMatch(k -> keyId.equals(k.get("id")))) {
                return;
            }
        }
        throw new AssertionError("the reported key was never revoked");
    }
}
