package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * The key lifecycle across two replicas sharing one real Redis: a key's end holds on both at the
 * second, with their caches warm and no message; an expired key is listed as such and frees its
 * place; a roll keeps both keys working through its grace, never extends a key, works at the limit,
 * happens once per key; test keys have their own limit. (That a rolled pair spends one rate-limit
 * allowance: {@code ratelimit/RolledKeysShareOneAllowanceIT}.)
 */
class KeyLifecycleIT {

    private static final Duration FLUSH = Duration.ofMillis(300);
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance a;
    private static GatewayInstance b;

    @BeforeAll
    static void start() {
        Map<String, Object> properties = Map.of("gateway.usage.flush-interval", FLUSH.toMillis() + "ms");
        a = GatewayInstance.start(UPSTREAM, properties);
        b = GatewayInstance.start(UPSTREAM, properties);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        UPSTREAM.close();
    }

    record Key(String account, String id, String secret, Map<String, Object> body) {}

    /** One request and when it was sent and answered, by this JVM's clock (the gateways' own). */
    record Try(long sentMillis, long answeredMillis, int status, String body) {}

    @Test
    void aKeyEndsAtItsSecondOnEveryReplicaWithTheirCachesWarm() throws InterruptedException {
        String account = unique("acct");
        Key key = create(a, account, Map.of("name", "short", "preset", "read_only", "expires_in", "3s"));
        Instant end = Instant.parse((String) key.body().get("expires_at"));
        assertThat(Duration.between(Instant.now(), end)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3));
        assertThat(credits(a, key.secret()).status()).isEqualTo(200);
        assertThat(credits(b, key.secret()).status()).isEqualTo(200); // both caches hold the record now

        ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
        accessLog.start();
        Logger access = (Logger) LoggerFactory.getLogger("access");
        access.addAppender(accessLog);
        List<Try> onA = new ArrayList<>();
        List<Try> onB = new ArrayList<>();
        long giveUp = end.toEpochMilli() + 3_000;
        while (System.currentTimeMillis() < giveUp && (refusals(onA) < 3 || refusals(onB) < 3)) {
            onA.add(credits(a, key.secret()));
            onB.add(credits(b, key.secret()));
            Thread.sleep(20);
        }
        for (List<Try> tries : List.of(onA, onB)) {
            assertThat(tries)
                    .filteredOn(t -> t.status() == 200)
                    .as("accepted only before its end")
                    .isNotEmpty()
                    .allSatisfy(t -> assertThat(t.sentMillis()).isLessThan(end.toEpochMilli()));
            List<Try> refused = tries.stream().filter(t -> t.status() != 200).toList();
            assertThat(refused)
                    .as("refused from its end on, within a second")
                    .isNotEmpty()
                    .allSatisfy(t -> {
                        assertThat(t.status()).isEqualTo(401);
                        assertThat(t.answeredMillis()).isGreaterThanOrEqualTo(end.toEpochMilli());
                        assertThat(t.body())
                                .isEqualTo(
                                        "{\"error\":{\"code\":\"INVALID_API_KEY\",\"message\":\"API key expired\"}}");
                    });
            assertThat(refused.get(0).sentMillis()).isLessThanOrEqualTo(end.toEpochMilli() + 1_000);
            // never accepted again once refused
            int firstRefusal = tries.indexOf(refused.get(0));
            assertThat(tries.subList(firstRefusal, tries.size()))
                    .allSatisfy(t -> assertThat(t.status()).isEqualTo(401));
        }
    }

    @Test
    void anExpiredKeyIsListedAsExpiredAndNoLongerCounts() throws InterruptedException {
        String account = unique("acct");
        Key ending = create(a, account, Map.of("name", "ending", "preset", "read_only", "expires_in", "2s"));
        for (int i = 1; i < 10; i++) {
            create(a, account, Map.of("name", "k" + i, "preset", "read_only"));
        }
        assertThat(createStatus(a, account, Map.of("name", "eleventh", "preset", "read_only")))
                .isEqualTo(409);
        awaitPast(Instant.parse((String) ending.body().get("expires_at")));

        Key eleventh = create(b, account, Map.of("name", "eleventh", "preset", "read_only"));
        assertThat(credits(b, eleventh.secret()).status()).isEqualTo(200);
        List<Map<String, Object>> keys = list(a, account);
        assertThat(keys).hasSize(11);
        assertThat(keys)
                .filteredOn(k -> k.get("id").equals(ending.id()))
                .singleElement()
                .satisfies(k -> assertThat(k)
                        .containsEntry("status", "expired")
                        .containsEntry("expires_at", ending.body().get("expires_at")));
        assertThat(keys).filteredOn(k -> "active".equals(k.get("status"))).hasSize(10);
        assertThat(createStatus(a, account, Map.of("name", "twelfth", "preset", "read_only")))
                .isEqualTo(409);
    }

    @Test
    void anEndMustBeInTheFutureAndOneOfTwoForms() {
        String account = unique("acct");
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("name", "k", "preset", "read_only", "expires_in", "0s"),
                Map.of("name", "k", "preset", "read_only", "expires_in", "1w"),
                Map.of("name", "k", "preset", "read_only", "expires_at", "2020-01-01T00:00:00Z"),
                Map.of("name", "k", "preset", "read_only", "expires_at", "tomorrow"),
                Map.of("name", "k", "preset", "read_only", "expires_at", "2099-01-01T00:00:00Z", "expires_in", "1d"),
                Map.of("name", "k", "preset", "read_only", "mode", "sandbox"))) {
            assertThat(createStatus(a, account, body)).as(body.toString()).isEqualTo(400);
        }
        Key atOffset = create(
                a, account, Map.of("name", "k", "preset", "read_only", "expires_at", "2099-01-01T01:00:00+01:00"));
        assertThat(atOffset.body()).containsEntry("expires_at", "2099-01-01T00:00:00Z");
        assertThat(list(a, account)).as("nothing refused was created").singleElement();
    }

    @Test
    void aRollKeepsBothKeysWorkingThroughItsGraceThenOnlyTheSuccessor() throws InterruptedException {
        String account = unique("acct");
        Key old = create(a, account, Map.of("name", "billing job", "preset", "draft_only"));
        assertThat(credits(b, old.secret()).status()).isEqualTo(200); // b caches the key, still without an end

        Map<String, Object> rolled = roll(a, old, "2s", 201);
        Key successor = new Key(account, (String) rolled.get("id"), (String) rolled.get("key"), rolled);
        assertThat(successor.secret()).matches("pp_live_sk_[A-Za-z0-9]{40}");
        assertThat(successor.id()).isNotEqualTo(old.id());
        assertThat(rolled)
                .containsEntry("name", "billing job")
                .containsEntry("mode", "live")
                .containsEntry("scopes", old.body().get("scopes"))
                .containsEntry("rolled_from", old.id())
                .containsEntry("expires_at", null);
        Instant previousEnd = Instant.parse((String) rolled.get("previous_expires_at"));

        for (GatewayInstance replica : List.of(a, b)) {
            assertThat(credits(replica, old.secret()).status()).isEqualTo(200);
            assertThat(credits(replica, successor.secret()).status()).isEqualTo(200);
        }
        awaitPast(previousEnd);
        for (GatewayInstance replica : List.of(a, b)) {
            Try refused = credits(replica, old.secret());
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).contains("API key expired");
            assertThat(credits(replica, successor.secret()).status()).isEqualTo(200);
        }
        // each keeps its own last use: the old one's stopped before its end
        Thread.sleep(FLUSH.toMillis() * 3);
        List<Map<String, Object>> keys = list(b, account);
        Map<String, Object> oldListed = only(keys, old.id());
        Map<String, Object> newListed = only(keys, successor.id());
        assertThat(oldListed)
                .containsEntry("status", "expired")
                .containsEntry("rolled_to", successor.id())
                .containsEntry("expires_at", previousEnd.toString());
        assertThat(newListed).containsEntry("status", "active").containsEntry("rolled_from", old.id());
        Instant oldLastUsed = Instant.parse((String) oldListed.get("last_used_at"));
        Instant newLastUsed = Instant.parse((String) newListed.get("last_used_at"));
        // kept to the minute (docs/redis-schema.md): the old key's minute is not after its end, the new one's not
        // before it
        assertThat(oldLastUsed).isBeforeOrEqualTo(previousEnd);
        assertThat(newLastUsed).isAfterOrEqualTo(previousEnd.truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
    }

    @Test
    void aRollNeverExtendsAKeyAndItsGraceIsBounded() {
        String account = unique("acct");
        Key key = create(a, account, Map.of("name", "k", "preset", "read_only", "expires_in", "1h"));
        String end = (String) key.body().get("expires_at");
        roll(a, key, "8d", 400);
        roll(a, key, "soon", 400);
        rollWith(a, key, Map.of(), 400);
        rollWith(a, key, Map.of("expire_previous_in", "1h", "name", "renamed"), 400);

        Map<String, Object> rolled = roll(a, key, "7d", 201);
        assertThat(rolled).containsEntry("previous_expires_at", end);
        assertThat(only(list(a, account), key.id())).containsEntry("expires_at", end);
    }

    @Test
    void aRollEndsThePreviousKeyAtOnceWithZero() {
        String account = unique("acct");
        Key key = create(a, account, Map.of("name", "k", "preset", "read_only"));
        assertThat(credits(b, key.secret()).status()).isEqualTo(200);
        Map<String, Object> rolled = roll(a, key, "0", 201);
        assertThat(Instant.parse((String) rolled.get("previous_expires_at"))).isBeforeOrEqualTo(Instant.now());
        long deadline = System.currentTimeMillis() + 1_000;
        int status = 200;
        while (status == 200 && System.currentTimeMillis() < deadline) {
            status = credits(b, key.secret()).status();
        }
        assertThat(status).as("refused on the other replica within a second").isEqualTo(401);
        assertThat(credits(b, (String) rolled.get("key")).status()).isEqualTo(200);
    }

    @Test
    void rollingWorksAtTheLimitOnceAndRolledKeysLeaveTheirPlace() {
        String account = unique("acct");
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add(create(a, account, Map.of("name", "k" + i, "preset", "read_only")));
        }
        Map<String, Object> first = roll(a, keys.get(0), "1h", 201);
        Map<String, Object> again = roll(b, keys.get(0), "1h", 409);
        assertThat(again)
                .isEqualTo(Map.of(
                        "error",
                        Map.of(
                                "code",
                                "KEY_ALREADY_ROLLED",
                                "message",
                                "This key was already rolled; roll its successor instead")));
        // the successor may roll in turn, at the limit still: rolled keys are on their way out
        Key successor = new Key(account, (String) first.get("id"), (String) first.get("key"), first);
        roll(b, successor, "1h", 201);
        roll(a, keys.get(1), "1h", 201);
        assertThat(list(a, account)).hasSize(13);
        assertThat(createStatus(a, account, Map.of("name", "over", "preset", "read_only")))
                .isEqualTo(409);

        // unknown keys and keys of another account
        rollWith(a, new Key(account, "key_doesNotExist0000000", "", Map.of()), Map.of("expire_previous_in", "1h"), 404);
        rollWith(a, new Key(unique("acct"), keys.get(2).id(), "", Map.of()), Map.of("expire_previous_in", "1h"), 404);
    }

    @Test
    void rollsRacingOnTwoReplicasMakeOneSuccessorAndLeaveNothingOfTheOthers() throws Exception {
        String account = unique("acct");
        Key key = create(a, account, Map.of("name", "k", "preset", "read_only"));
        List<java.util.concurrent.CompletableFuture<Integer>> rolls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            GatewayInstance replica = i % 2 == 0 ? a : b;
            rolls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> replica.admin()
                    .post()
                    .uri("/admin/v1/accounts/{a}/keys/{k}/roll", account, key.id())
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("expire_previous_in", "1h"))
                    .exchange()
                    .expectBody(String.class)
                    .returnResult()
                    .getStatus()
                    .value()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (var roll : rolls) {
            statuses.add(roll.get());
        }
        assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
        List<Map<String, Object>> keys = list(a, account);
        assertThat(keys).as("the key and its one successor").hasSize(2);
        Map<String, Object> old = only(keys, key.id());
        String successor = (String) old.get("rolled_to");
        assertThat(only(keys, successor)).containsEntry("rolled_from", key.id());
        var redis = RedisSupport.redis().commands();
        assertThat(redis.hlen(RedisSchema.accountKeyInfo(account))).isEqualTo(2);
        assertThat(redis.keys("ppgw:key:*"))
                .as("records of the account's keys: the losers' successors were taken back")
                .filteredOn(record -> account.equals(redis.hget(record, RedisSchema.ACCOUNT_ID)))
                .hasSize(2);
    }

    @Test
    void anExpiredKeyCannotBeRolled() throws InterruptedException {
        String account = unique("acct");
        Key key = create(a, account, Map.of("name", "k", "preset", "read_only", "expires_in", "1s"));
        awaitPast(Instant.parse((String) key.body().get("expires_at")));
        Map<String, Object> refused = roll(a, key, "1h", 409);
        assertThat(refused.toString()).contains("KEY_EXPIRED");
    }

    @Test
    void testKeysAreMadeRolledAndCountedApartFromLiveOnes() {
        String account = unique("acct");
        for (int i = 0; i < 10; i++) {
            create(a, account, Map.of("name", "live" + i, "preset", "read_only"));
        }
        Key test = create(a, account, Map.of("name", "sandbox ci", "preset", "read_only", "mode", "test"));
        assertThat(test.secret()).matches("pp_test_sk_[A-Za-z0-9]{40}");
        assertThat(test.body()).containsEntry("mode", "test");
        for (int i = 1; i < 10; i++) {
            create(b, account, Map.of("name", "test" + i, "preset", "read_only", "mode", "test"));
        }
        assertThat(createStatus(a, account, Map.of("name", "t11", "preset", "read_only", "mode", "test")))
                .isEqualTo(409);
        assertThat(createStatus(a, account, Map.of("name", "l11", "preset", "read_only", "mode", "live")))
                .isEqualTo(409);
        Map<String, Object> rolled = roll(a, test, "1h", 201);
        assertThat((String) rolled.get("key")).startsWith("pp_test_sk_");
        assertThat(rolled).containsEntry("mode", "test");
        assertThat(list(a, account))
                .filteredOn(k -> "test".equals(k.get("mode")))
                .hasSize(11);
        // the record says test, in Redis as documented
        String hash = RedisSupport.redis().commands().hget(RedisSchema.accountKeys(account), test.id());
        assertThat(RedisSupport.redis().commands().hget(RedisSchema.keyRecord(hash), "mode"))
                .isEqualTo("test");
    }

    @Test
    void aRollIsAuditedWithItsOutcome() {
        String account = unique("acct");
        Key key = create(a, account, Map.of("name", "k", "preset", "read_only"));
        roll(a, key, "1h", 201);
        roll(a, key, "1h", 409);
        @SuppressWarnings("unchecked")
        Map<String, Object> page = a.admin()
                .get()
                .uri("/admin/v1/audit?account={a}&action=key.roll", account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) page.get("data");
        assertThat(entries).hasSize(2);
        assertThat(entries).allSatisfy(e -> assertThat(e.toString()).contains(key.id()));
        assertThat(entries.get(0).toString()).contains("refused").contains("KEY_ALREADY_ROLLED");
        assertThat(entries.get(1).toString()).contains("done");
    }

    // ---------------------------------------------------------------- helpers

    private static long refusals(List<Try> tries) {
        return tries.stream().filter(t -> t.status() != 200).count();
    }

    private static void awaitPast(Instant end) throws InterruptedException {
        long wait = end.toEpochMilli() - System.currentTimeMillis() + 20;
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private static Map<String, Object> only(List<Map<String, Object>> keys, String id) {
        return keys.stream().filter(k -> id.equals(k.get("id"))).findFirst().orElseThrow();
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static Try credits(GatewayInstance replica, String secret) {
        long sent = System.currentTimeMillis();
        EntityExchangeResult<String> result = replica.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", secret)
                .exchange()
                .expectBody(String.class)
                .returnResult();
        return new Try(
                sent,
                System.currentTimeMillis(),
                result.getStatus().value(),
                result.getResponseBody() == null ? "" : result.getResponseBody());
    }

    @SuppressWarnings("unchecked")
    private static Key create(GatewayInstance replica, String account, Map<String, Object> body) {
        Map<String, Object> created = replica.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new Key(account, (String) created.get("id"), (String) created.get("key"), created);
    }

    private static int createStatus(GatewayInstance replica, String account, Map<String, Object> body) {
        return replica.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    private static Map<String, Object> roll(GatewayInstance replica, Key key, String grace, int status) {
        return rollWith(replica, key, Map.of("expire_previous_in", grace), status);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> rollWith(
            GatewayInstance replica, Key key, Map<String, Object> body, int status) {
        @Nullable
        Map<String, Object> answer = replica.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys/{k}/roll", key.account(), key.id())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return answer == null ? Map.of() : answer;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(GatewayInstance replica, String account) {
        Map<String, Object> body = replica.admin()
                .get()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (List<Map<String, Object>>) body.get("data");
    }
}
