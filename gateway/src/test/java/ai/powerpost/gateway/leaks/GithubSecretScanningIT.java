package ai.powerpost.gateway.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code POST /secret-scanning/github} against a real key list: a local HTTP server serves GitHub's
 * format for key pairs made here, which sign real payloads. Two replicas share the suite's Redis:
 * this test's gateway and a second one ({@link GatewayInstance}); a revocation reported to one is
 * refused by both. MONITOR shows what Redis was asked.
 */
@GatewayIntegrationTest
class GithubSecretScanningIT extends GatewayTestBase {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final GithubKeyServer KEY_SERVER = new GithubKeyServer();
    private static final GithubKeys GITHUB = GithubKeys.generate();
    private static final Duration REFETCH = Duration.ofMillis(300);
    private static final String INVALID_KEY =
            "{\"error\":{\"code\":\"INVALID_API_KEY\",\"message\":\"Invalid API key\"}}";
    private static final String BAD_SIGNATURE =
            "{\"error\":{\"code\":\"INVALID_SIGNATURE\",\"message\":\"Missing or invalid GitHub secret-scanning signature\"}}";

    private static GatewayInstance replica;

    @Autowired
    private KeyTags tags;

    @Autowired
    private MeterRegistry meters;

    @DynamicPropertySource
    static void leaks(DynamicPropertyRegistry registry) {
        registry.add("gateway.leaks.github.enabled", () -> "true");
        registry.add("gateway.leaks.github.keys-url", KEY_SERVER::url);
        registry.add("gateway.leaks.github.keys-refetch-interval", () -> REFETCH.toMillis() + "ms");
    }

    @BeforeAll
    static void secondReplica() {
        KEY_SERVER.serve(GITHUB);
        replica = GatewayInstance.start(
                UPSTREAM,
                Map.of("gateway.leaks.github.enabled", "true", "gateway.leaks.github.keys-url", KEY_SERVER.url()));
    }

    @AfterAll
    static void stop() {
        replica.close();
        KEY_SERVER.close();
    }

    @BeforeEach
    void keysServed() {
        KEY_SERVER.serve(GITHUB);
    }

    @Test
    void aSignedBatchLabelsEveryTokenAndRevokesItsLiveAndTestKeysOnBothReplicasAtOnce() {
        Tenant tenant = tenant("read_only");
        String live = tenant.key().key();
        TestKey test = writeTestKey(tenant.accountId());
        WebTestClient other = replica.client();
        for (WebTestClient gateway : List.of(client, other)) { // both replicas hold both keys in their caches
            assertThat(status(gateway, live, tenant.workspaceId())).isEqualTo(200);
            assertThat(status(gateway, test.key(), tenant.workspaceId())).isNotEqualTo(401);
        }
        String malformed = "pp_live_sk_short";
        String forged = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40); // no valid tag, not untagged
        String forgedTest = KeyMode.TEST.prefix() + ApiKeys.randomBase62(RANDOM, 40);
        String unknown = tags.mint(RANDOM).key(); // a valid tag, but no such key
        String url = "https://github.com/octo/leaky/blob/12345600b9cbe38a219f39a9941c9319b600c002/.env";
        List<String> tokens = List.of(malformed, forged, live, forgedTest, unknown, test.key(), "ghp_notours");
        byte[] body = batch(tokens, url);

        double truePositives = reported("true_positive");
        double falsePositives = reported("false_positive");
        List<Map<String, String>> answer;
        List<String> commands;
        try (RedisMonitor monitor = new RedisMonitor()) {
            answer = signed(client, body, GITHUB)
                    .expectStatus()
                    .isOk()
                    .expectBody(LABELS)
                    .returnResult()
                    .getResponseBody();
            commands = monitor.clientCommandsSoFar();
        }

        assertThat(answer).hasSize(tokens.size());
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            assertThat(answer.get(i).get("token_hash")).isEqualTo(GithubEndpoint.tokenHash(tokens.get(i)));
            assertThat(answer.get(i).get("token_type")).isEqualTo("powerpost_api_key");
            labels.add(answer.get(i).get("label"));
        }
        assertThat(labels)
                .containsExactly(
                        "false_positive",
                        "false_positive",
                        "true_positive",
                        "false_positive",
                        "false_positive",
                        "true_positive",
                        "false_positive");
        // the forged and malformed tokens cost no Redis command at all
        for (String notLookedUp : List.of(malformed, forged, forgedTest, "ghp_notours")) {
            String hash = ApiKeys.hash(notLookedUp);
            assertThat(commands).noneMatch(command -> command.contains(hash));
        }
        assertThat(commands).anyMatch(command -> command.contains(ApiKeys.hash(unknown))); // looked up, unknown
        assertThat(reported("true_positive") - truePositives).isEqualTo(2);
        assertThat(reported("false_positive") - falsePositives).isEqualTo(5);

        // refused at once by both replicas, whose caches held both keys
        for (WebTestClient gateway : List.of(client, other)) {
            awaitInvalid(gateway, live, tenant.workspaceId());
            awaitInvalid(gateway, test.key(), tenant.workspaceId());
        }
        assertThat(listKeys(tenant.accountId())).isEmpty();

        List<Map<String, Object>> audit = audit(tenant.accountId());
        assertThat(audit).hasSize(4); // workspace.grant and key.create by root, then the two leak revocations
        for (String keyId : List.of(tenant.key().id(), test.id())) {
            Map<String, Object> entry = audit.stream()
                    .filter(e -> keyId.equals(((Map<?, ?>) e.get("target")).get("key_id")))
                    .filter(e -> "key.leak_revoke".equals(e.get("action")))
                    .findFirst()
                    .orElseThrow();
            assertThat(((Map<?, ?>) entry.get("actor")).get("id")).isEqualTo("github-secret-scanning");
            assertThat(entry.get("leak_url")).isEqualTo(url);
            assertThat(entry.get("outcome")).isEqualTo("done");
        }
    }

    @Test
    void anUntaggedKeyIsRevokedTooEvenWithoutItsIndexEntry() {
        // an older key, written by another writer as the record alone (RedisSupport.writeUntaggedKey)
        String account = unique("acct");
        String untagged = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 24);
        String id = "key_" + ApiKeys.randomBase62(RANDOM, 20);
        writeUntaggedKey(untagged, Map.of("id", id, "account_id", account, "name", "legacy", "type", "read_write"));
        assertThat(status(client, untagged, "ws_none")).isEqualTo(200);
        List<Map<String, String>> answer = signed(client, batch(List.of(untagged), "https://github.com/o/old"), GITHUB)
                .expectStatus()
                .isOk()
                .expectBody(LABELS)
                .returnResult()
                .getResponseBody();
        assertThat(answer)
                .singleElement()
                .satisfies(a -> assertThat(a.get("label")).isEqualTo("true_positive"));
        awaitInvalid(client, untagged, "ws_none");
        assertThat(RedisSupport.redis().commands().exists(RedisSchema.keyRecord(ApiKeys.hash(untagged))))
                .isZero();
        assertThat(RedisSupport.redis().commands().sismember(RedisSchema.UNTAGGED_KEYS, ApiKeys.hash(untagged)))
                .isFalse();
        assertThat(audit(account)).singleElement().satisfies(entry -> {
            assertThat(entry.get("action")).isEqualTo("key.leak_revoke");
            assertThat(entry.get("outcome")).isEqualTo("done");
        });
    }

    @Test
    void badMissingAndUnverifiableSignaturesAre401AndTouchNothing() {
        Tenant tenant = tenant("read_only");
        String live = tenant.key().key();
        byte[] body = batch(List.of(live), "https://github.com/o/r");
        byte[] tampered = batch(List.of(live), "https://github.com/o/s");
        GithubKeys stranger = GithubKeys.generate();
        List<String> commands;
        try (RedisMonitor monitor = new RedisMonitor()) {
            refused(post(client, body).header(GithubEndpoint.KEY_IDENTIFIER, GITHUB.identifier()));
            refused(post(client, body).header(GithubEndpoint.KEY_SIGNATURE, GITHUB.sign(body)));
            refused(post(client, body)); // neither header
            refused(post(client, body) // signed by a key that is not GitHub's, under GitHub's identifier
                    .header(GithubEndpoint.KEY_IDENTIFIER, GITHUB.identifier())
                    .header(GithubEndpoint.KEY_SIGNATURE, stranger.sign(body)));
            refused(post(client, tampered) // GitHub's signature over another body
                    .header(GithubEndpoint.KEY_IDENTIFIER, GITHUB.identifier())
                    .header(GithubEndpoint.KEY_SIGNATURE, GITHUB.sign(body)));
            refused(post(client, body)
                    .header(GithubEndpoint.KEY_IDENTIFIER, GITHUB.identifier())
                    .header(GithubEndpoint.KEY_SIGNATURE, "not base64 !"));
            refused(post(client, body) // a key GitHub's list does not hold
                    .header(GithubEndpoint.KEY_IDENTIFIER, stranger.identifier())
                    .header(GithubEndpoint.KEY_SIGNATURE, stranger.sign(body)));
            refused(post(client, body)
                    .header(GithubEndpoint.KEY_IDENTIFIER, "../../etc/passwd")
                    .header(GithubEndpoint.KEY_SIGNATURE, GITHUB.sign(body)));
            commands = monitor.clientCommandsSoFar();
        }
        String hash = ApiKeys.hash(live);
        assertThat(commands).noneMatch(command -> command.contains(hash));
        assertThat(commands).noneMatch(command -> command.contains(RedisSchema.AUDIT));
        assertThat(status(client, live, tenant.workspaceId())).isEqualTo(200);
        assertThat(status(replica.client(), live, tenant.workspaceId())).isEqualTo(200);
    }

    @Test
    void aKeyServerThatFailsAfterTheFirstFetchLeavesTheLastGoodSetVerifying() throws InterruptedException {
        Tenant tenant = tenant("read_only");
        byte[] unknown = batch(List.of(tags.mint(RANDOM).key()), null);
        signed(client, unknown, GITHUB).expectStatus().isOk().expectBody(LABELS); // the set is fetched (or was)
        KEY_SERVER.fail();
        int before = KEY_SERVER.fetches();
        Thread.sleep(REFETCH.toMillis() + 100); // on the test's own thread: the refetch interval passes
        GithubKeys rotated =
                GithubKeys.generate(); // an identifier the set does not hold: it is fetched again, and fails
        try (ExpectedLogs failedFetch = ExpectedLogs.expect(GithubPublicKeys.class, Level.WARN)) {
            refused(post(client, unknown)
                    .header(GithubEndpoint.KEY_IDENTIFIER, rotated.identifier())
                    .header(GithubEndpoint.KEY_SIGNATURE, rotated.sign(unknown)));
            assertThat(failedFetch.messages())
                    .singleElement()
                    .asString()
                    .contains("could not be fetched (answered 500); keeping the last good set of 1");
        }
        assertThat(KEY_SERVER.fetches()).isGreaterThan(before);

        byte[] leak = batch(List.of(tenant.key().key()), "https://gist.github.com/x/1");
        List<Map<String, String>> answer = signed(client, leak, GITHUB)
                .expectStatus()
                .isOk()
                .expectBody(LABELS)
                .returnResult()
                .getResponseBody();
        assertThat(answer)
                .singleElement()
                .satisfies(a -> assertThat(a.get("label")).isEqualTo("true_positive"));
        awaitInvalid(client, tenant.key().key(), tenant.workspaceId());
    }

    @Test
    void aRotatedKeyIsFetchedWhenFirstSeenButUnknownIdentifiersCannotMakeTheGatewayHammerTheList()
            throws InterruptedException {
        GithubKeys next = GithubKeys.generate();
        byte[] body = batch(List.of(tags.mint(RANDOM).key()), null);
        signed(client, body, GITHUB).expectStatus().isOk().expectBody(LABELS);
        KEY_SERVER.serve(GITHUB, next); // GitHub adds a key
        Thread.sleep(REFETCH.toMillis() + 100);
        signed(client, body, next).expectStatus().isOk().expectBody(LABELS);

        int before = KEY_SERVER.fetches();
        long started = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            GithubKeys stranger = GithubKeys.generate();
            refused(post(client, body)
                    .header(GithubEndpoint.KEY_IDENTIFIER, stranger.identifier())
                    .header(GithubEndpoint.KEY_SIGNATURE, stranger.sign(body)));
        }
        long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(KEY_SERVER.fetches() - before)
                .as("fetches in %d ms, at most one per %s", elapsed, REFETCH)
                .isLessThanOrEqualTo((int) (elapsed / REFETCH.toMillis()) + 1);
    }

    @Test
    void aBatchOfAThousandTokensIsAnsweredWithinGithubsThirtySeconds() {
        Tenant tenant = tenant("read_only");
        List<String> tokens = new ArrayList<>();
        tokens.add(tenant.key().key());
        for (int i = 1; i < 1000; i++) {
            tokens.add(
                    i % 2 == 0
                            ? ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40) // forged
                            : tags.mint(RANDOM).key()); // tagged and unknown: each one looked up
        }
        byte[] body = batch(tokens, "https://github.com/o/r/blob/main/keys.txt");
        long started = System.nanoTime();
        List<Map<String, String>> answer = signed(client, body, GITHUB)
                .expectStatus()
                .isOk()
                .expectBody(LABELS)
                .returnResult()
                .getResponseBody();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(answer).hasSize(1000);
        assertThat(answer.get(0).get("label")).isEqualTo("true_positive");
        assertThat(answer.subList(1, 1000)).allMatch(a -> "false_positive".equals(a.get("label")));
    }

    @Test
    void aSignedBodyThatIsNotABatchIs400AndOtherMethodsAre405() {
        byte[] body = "{\"token\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        signed(client, body, GITHUB)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("VALIDATION_ERROR");
        client.get()
                .uri(GithubEndpoint.PATH)
                .exchange()
                .expectStatus()
                .isEqualTo(405)
                .expectHeader()
                .valueEquals("Allow", "POST")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void aBodyOverTheLimitIs413BeforeAnythingIsVerified() {
        byte[] body = new byte[GithubEndpoint.MAX_BODY + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        post(client, body)
                .header(GithubEndpoint.KEY_IDENTIFIER, GITHUB.identifier())
                .header(GithubEndpoint.KEY_SIGNATURE, GITHUB.sign(body))
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("PAYLOAD_TOO_LARGE");
    }

    @Test
    void withActionFlagAReportedKeyIsRecordedAndKeepsWorking() {
        try (GatewayInstance flagging = GatewayInstance.start(
                UPSTREAM,
                Map.of(
                        "gateway.leaks.github.enabled", "true",
                        "gateway.leaks.github.keys-url", KEY_SERVER.url(),
                        "gateway.leaks.action", "flag"))) {
            Tenant tenant = tenant("read_only");
            byte[] body = batch(List.of(tenant.key().key()), "https://github.com/o/r");
            List<Map<String, String>> answer = signed(flagging.client(), body, GITHUB)
                    .expectStatus()
                    .isOk()
                    .expectBody(LABELS)
                    .returnResult()
                    .getResponseBody();
            assertThat(answer)
                    .singleElement()
                    .satisfies(a -> assertThat(a.get("label")).isEqualTo("true_positive"));
            assertThat(status(flagging.client(), tenant.key().key(), tenant.workspaceId()))
                    .isEqualTo(200);
            assertThat(audit(tenant.accountId())).anySatisfy(entry -> {
                assertThat(entry.get("action")).isEqualTo("key.leak_flag");
                assertThat(((Map<?, ?>) entry.get("actor")).get("id")).isEqualTo("github-secret-scanning");
                assertThat(entry.get("outcome")).isEqualTo("done");
            });
        }
    }

    // --- helpers

    /** {@code gateway_leaks_reported_total{source="github",label}}: tagged by source and label only. */
    private double reported(String label) {
        return meters.get(LeakMeters.REPORTED)
                .tag("source", "github")
                .tag("label", label)
                .counter()
                .count();
    }

    private static final ParameterizedTypeReference<List<Map<String, String>>> LABELS =
            new ParameterizedTypeReference<>() {};

    /** A test key written as the key management API writes a key (record, secret set, id index, claim). */
    private record TestKey(String id, String key) {}

    private TestKey writeTestKey(String accountId) {
        KeyTags.Minted minted = tags.mint(RANDOM, KeyMode.TEST);
        String hash = ApiKeys.hash(minted.key());
        String id = "key_" + ApiKeys.randomBase62(RANDOM, 20);
        StoredKey key = StoredKey.minted(
                id,
                accountId,
                "test key",
                EnumSet.of(Scope.values()[0]),
                Instant.now(),
                minted.secretId(),
                KeyMode.TEST,
                null,
                null,
                null);
        var redis = RedisSupport.redis().commands();
        redis.hset(RedisSchema.keyRecord(hash), KeyRecords.encode(key));
        redis.sadd(RedisSchema.secretKeys(minted.secretId()), hash);
        redis.set(RedisSchema.keyIdAccount(id), accountId);
        redis.hset(RedisSchema.accountKeys(accountId), id, hash);
        return new TestKey(id, minted.key());
    }

    private static byte[] batch(List<String> tokens, String url) {
        StringBuilder json = new StringBuilder("[");
        for (String token : tokens) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append("{\"token\":\"").append(token).append("\",\"type\":\"powerpost_api_key\"");
            if (url != null) {
                json.append(",\"url\":\"").append(url).append('"');
            }
            json.append(",\"source\":\"content\"}");
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static WebTestClient.RequestHeadersSpec<?> post(WebTestClient gateway, byte[] body) {
        return gateway.post()
                .uri(GithubEndpoint.PATH)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body);
    }

    private static WebTestClient.ResponseSpec signed(WebTestClient gateway, byte[] body, GithubKeys key) {
        return post(gateway, body)
                .header(GithubEndpoint.KEY_IDENTIFIER, key.identifier())
                .header(GithubEndpoint.KEY_SIGNATURE, key.sign(body))
                .exchange();
    }

    private static void refused(WebTestClient.RequestHeadersSpec<?> request) {
        request.exchange().expectStatus().isUnauthorized().expectBody().json(BAD_SIGNATURE, true);
    }

    private static int status(WebTestClient gateway, String key, String workspace) {
        return gateway.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key)
                .header("X-Workspace-Id", workspace)
                .exchange()
                .expectBody(Void.class)
                .returnResult()
                .getStatus()
                .value();
    }

    /** Waits (bounded, on the test thread) until the key is refused, then checks the answer. */
    private static void awaitInvalid(WebTestClient gateway, String key, String workspace) {
        Instant deadline = Instant.now().plusSeconds(2);
        while (status(gateway, key, workspace) != 401 && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        gateway.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key)
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .json(INVALID_KEY, true);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> audit(String accountId) {
        EntityExchangeResult<Map> result = admin.get()
                .uri("/admin/v1/audit?account={a}", accountId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult();
        return (List<Map<String, Object>>) result.getResponseBody().get("data");
    }
}
