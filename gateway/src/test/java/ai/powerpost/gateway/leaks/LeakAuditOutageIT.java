package ai.powerpost.gateway.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.OwnRedisServer;
import ai.powerpost.gateway.support.RecordingUpstream;
import ch.qos.logback.classic.Level;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

/**
 * No revocation without its entry, for reported leaks too: when the audit stream refuses the entry,
 * the key is not revoked, GitHub is answered 503 (it delivers again: a key that exists is never
 * labelled while nothing was done about it), and once the stream takes entries again the same
 * batch revokes the key. The gateway has a Redis server of this test's own, so the stream can be
 * broken without touching the suite's.
 */
class LeakAuditOutageIT {

    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static final GithubKeyServer KEY_SERVER = new GithubKeyServer();
    private static final GithubKeys GITHUB = GithubKeys.generate();
    private static OwnRedisServer server;
    private static StatefulRedisConnection<String, String> connection;
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        KEY_SERVER.serve(GITHUB);
        server = new OwnRedisServer();
        connection = RedisClient.create(server.url()).connect();
        gateway = GatewayInstance.start(
                UPSTREAM,
                Map.of(
                        "spring.data.redis.url", server.url(),
                        "gateway.leaks.github.enabled", "true",
                        "gateway.leaks.github.keys-url", KEY_SERVER.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        connection.close();
        server.close();
        KEY_SERVER.close();
        UPSTREAM.close();
    }

    private static RedisCommands<String, String> redis() {
        return connection.sync();
    }

    @Test
    void aReportWhoseEntryCannotBeWrittenRevokesNothingAndIsAnswered503() {
        String account = "acct_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        @SuppressWarnings("unchecked")
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "leaky", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        String key = (String) created.get("key");
        byte[] body = ("[{\"token\":\"" + key
                        + "\",\"type\":\"powerpost_api_key\",\"url\":\"https://github.com/o/r\"}]")
                .getBytes(StandardCharsets.UTF_8);
        long entries = redis().xlen(RedisSchema.AUDIT);

        redis().rename(RedisSchema.AUDIT, RedisSchema.AUDIT + ":moved");
        redis().set(RedisSchema.AUDIT, "not a stream");
        try (ExpectedLogs unrecorded = ExpectedLogs.expect(Changes.class, Level.WARN);
                ExpectedLogs batch = ExpectedLogs.expect(GithubEndpoint.class, Level.WARN)) {
            signed(body)
                    .expectStatus()
                    .isEqualTo(503)
                    .expectHeader()
                    .exists("Retry-After")
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("SERVICE_UNAVAILABLE");
            assertThat(unrecorded.messages()).isNotEmpty();
        } finally {
            redis().del(RedisSchema.AUDIT);
            redis().rename(RedisSchema.AUDIT + ":moved", RedisSchema.AUDIT);
        }
        assertThat(status(key)).as("not revoked").isEqualTo(200);
        assertThat(redis().hlen(RedisSchema.accountKeys(account))).isEqualTo(1);
        assertThat(redis().xlen(RedisSchema.AUDIT)).as("entries").isEqualTo(entries);

        List<Map<String, String>> answer = signed(body)
                .expectStatus()
                .isOk()
                .expectBody(new ParameterizedTypeReference<List<Map<String, String>>>() {})
                .returnResult()
                .getResponseBody();
        assertThat(answer)
                .singleElement()
                .satisfies(a -> assertThat(a.get("label")).isEqualTo("true_positive"));
        Instant deadline = Instant.now().plusSeconds(2);
        while (status(key) != 401 && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        assertThat(status(key)).as("revoked once the entry is written").isEqualTo(401);
        assertThat(redis().hlen(RedisSchema.accountKeys(account))).isZero();
    }

    private static org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec signed(byte[] body) {
        return gateway.client()
                .post()
                .uri(GithubEndpoint.PATH)
                .contentType(MediaType.APPLICATION_JSON)
                .header(GithubEndpoint.KEY_IDENTIFIER, GITHUB.identifier())
                .header(GithubEndpoint.KEY_SIGNATURE, GITHUB.sign(body))
                .bodyValue(body)
                .exchange();
    }

    private static int status(String key) {
        return gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key)
                .exchange()
                .expectBody(Void.class)
                .returnResult()
                .getStatus()
                .value();
    }
}
