package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.DisconnectingProxy;
import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.OwnRedisServer;
import ai.powerpost.gateway.support.RecordingUpstream;
import ch.qos.logback.classic.Level;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * No change without its entry: with Redis unreachable, read-only, or refusing just the audit
 * stream, a change is answered 503, is not made, and leaves no entry claiming it. The gateway talks
 * to a Redis server of this test's own through a {@link DisconnectingProxy}.
 */
class AuditOutageIT {

    private static final long CUT_MILLIS = 4_000;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static OwnRedisServer server;
    private static StatefulRedisConnection<String, String> connection;
    private static DisconnectingProxy proxy;
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        server = new OwnRedisServer();
        connection = RedisClient.create(server.url()).connect();
        int port = Integer.parseInt(server.url().substring(server.url().lastIndexOf(':') + 1));
        proxy = new DisconnectingProxy(port);
        gateway = GatewayInstance.start(
                UPSTREAM, Map.of("spring.data.redis.url", proxy.url(), "spring.data.redis.timeout", "1s"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        proxy.close();
        connection.close();
        server.close();
        UPSTREAM.close();
    }

    private static RedisCommands<String, String> redis() {
        return connection.sync();
    }

    @Test
    void redisUnreachableDuringAChange() throws InterruptedException {
        String account = unique("acct");
        long entries = redis().xlen(RedisSchema.AUDIT);
        long cut = System.nanoTime();
        // the gateway's own reports of the outage it rides out (the filter's rebuild, the subscription's)
        try (ExpectedLogs rebuild = ExpectedLogs.expect("ai.powerpost.gateway.auth.UntaggedKeys", Level.WARN);
                ExpectedLogs resubscribe =
                        ExpectedLogs.expect("ai.powerpost.gateway.auth.KeyInvalidationListener", Level.WARN)) {
            try (ExpectedLogs failed = expectedWarnings()) {
                proxy.cut(CUT_MILLIS); // longer than the retries reach (under 2 s)
                assertThat(createKey(account)).isEqualTo(503);
            }
            awaitReachable(cut);
        }
        assertThat(redis().hlen(RedisSchema.accountKeys(account)))
                .as("keys made")
                .isZero();
        assertThat(redis().xlen(RedisSchema.AUDIT)).as("entries").isEqualTo(entries);
    }

    @Test
    void redisReadOnlyDuringAChange() {
        String account = unique("acct");
        long entries = redis().xlen(RedisSchema.AUDIT);
        // a replica of a primary that is not there: every write is refused with READONLY
        redis().replicaof("127.0.0.1", ai.powerpost.gateway.support.FreePorts.unused());
        try (ExpectedLogs failed = expectedWarnings()) {
            assertThat(workspace(account)).isEqualTo(503);
        } finally {
            redis().replicaofNoOne();
        }
        assertThat(redis().smembers(RedisSchema.accountWorkspaces(account)))
                .as("workspaces")
                .isEmpty();
        assertThat(redis().xlen(RedisSchema.AUDIT)).as("entries").isEqualTo(entries);
    }

    @Test
    void anAuditStreamThatCannotBeWrittenStopsTheChange() {
        // Redis works, but the stream refuses the entry (here: its key holds another type)
        String account = unique("acct");
        assertThat(createKey(unique("acct")))
                .as("an entry, so the stream exists")
                .isEqualTo(201);
        redis().rename(RedisSchema.AUDIT, RedisSchema.AUDIT + ":moved");
        redis().set(RedisSchema.AUDIT, "not a stream");
        try (ExpectedLogs failed = expectedWarnings()) {
            assertThat(createKey(account)).isEqualTo(503);
            assertThat(workspace(account)).isEqualTo(503);
        } finally {
            redis().del(RedisSchema.AUDIT);
            redis().rename(RedisSchema.AUDIT + ":moved", RedisSchema.AUDIT);
        }
        assertThat(redis().hlen(RedisSchema.accountKeys(account)))
                .as("keys made")
                .isZero();
        assertThat(redis().smembers(RedisSchema.accountWorkspaces(account)))
                .as("workspaces")
                .isEmpty();
        assertThat(createKey(account)).as("once the stream takes entries again").isEqualTo(201);
    }

    @Test
    void aChangeThatFailsAfterItsEntryIsRecordedAsFailed() {
        // the entry is written, then the change itself is refused by Redis (the set's key holds a string)
        String account = unique("acct");
        redis().set(RedisSchema.accountWorkspaces(account), "not a set");
        String requestId = "failed-" + UUID.randomUUID();
        try (ExpectedLogs failed = ExpectedLogs.expect(AdminFailures.class.getName(), Level.WARN)) {
            int status = gateway.admin()
                    .put()
                    .uri("/admin/v1/accounts/{a}/workspaces/ws_failed", account)
                    .header("X-Request-Id", requestId)
                    .exchange()
                    .expectBody()
                    .returnResult()
                    .getStatus()
                    .value();
            assertThat(status).isEqualTo(503);
        }
        var entries = redis()
                .xrevrange(RedisSchema.AUDIT, io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(50))
                .stream()
                .filter(entry -> requestId.equals(entry.getBody().get("request_id")))
                .toList();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).getBody())
                .containsEntry("outcome", "attempted")
                .containsEntry("action", "workspace.grant");
        assertThat(redis().get(RedisSchema.auditOutcome(entries.get(0).getId())))
                .isEqualTo("failed SERVICE_UNAVAILABLE");
    }

    // --- helpers -------------------------------------------------------------------------------

    private static ExpectedLogs expectedWarnings() {
        return ExpectedLogs.expect(Changes.class.getName(), Level.WARN);
    }

    /** Once the cut is over, polls (gently: each attempt reconnects) until a read works again. */
    private static void awaitReachable(long cutNanos) throws InterruptedException {
        long left = CUT_MILLIS - java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutNanos);
        if (left > 0) {
            Thread.sleep(left + 200); // the test's own thread, not an event loop
        }
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(10);
        try (ExpectedLogs reconnecting = ExpectedLogs.expect(AdminFailures.class.getName(), Level.WARN)) {
            while (java.time.Instant.now().isBefore(deadline)) {
                if (readWorks()) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the gateway never reached Redis again");
    }

    private static boolean readWorks() {
        {
            int status = gateway.admin()
                    .get()
                    .uri("/admin/v1/operators")
                    .exchange()
                    .expectBody()
                    .returnResult()
                    .getStatus()
                    .value();
            return status == 200;
        }
    }

    private static int createKey(String account) {
        return gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "outage", "preset", "read_only"))
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }

    private static int workspace(String account) {
        return gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/ws_outage", account)
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
