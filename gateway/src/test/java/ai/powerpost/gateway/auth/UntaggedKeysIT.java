package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * No false negative: across two replicas, through creations, revocations, untagged keys added
 * while the replicas run (far past the filter's capacity), a lost announcement, dropped
 * subscriptions and a replica restarted, every live key (tagged, untagged, legacy type) is
 * accepted by every replica at every check, and every revoked key refused. Plus the migration of
 * records that predate the untagged-key set, run by two replicas starting at once.
 */
class UntaggedKeysIT {

    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Tiny, so the untagged keys of this test alone fill it many times over. */
    private static final Map<String, Object> SMALL_FILTER = Map.of("gateway.keys.untagged-filter-capacity", 4);

    private static GatewayInstance r1;
    private static GatewayInstance r2;

    @BeforeAll
    static void start() {
        r1 = GatewayInstance.start(UPSTREAM, SMALL_FILTER);
        r2 = GatewayInstance.start(UPSTREAM, SMALL_FILTER);
    }

    @AfterAll
    static void stop() {
        r1.close();
        r2.close();
        UPSTREAM.close();
    }

    /** A key and where it stands. */
    private record Key(String account, String id, String secret, boolean untagged) {}

    @Test
    void noLiveKeyIsEverRefusedByAnyReplica() {
        List<Key> live = new ArrayList<>();
        List<Key> revoked = new ArrayList<>();
        String account = "acct_nfn_" + suffix();
        for (int i = 0; i < 6; i++) {
            live.add(create(i % 2 == 0 ? r1 : r2, account));
        }
        for (int i = 0; i < 16; i++) {
            // added while both replicas run; some of the minted length, some legacy types
            live.add(untagged(account + "_u" + (i % 4), i % 3 == 0 ? 40 : 20 + i, i % 4 == 0 ? "read_write" : null));
        }
        awaitFilters(live);
        assertAll(live, revoked);
        assertThat(r1.bean(UntaggedKeys.class).capacity())
                .as("filled past its capacity, the filter was rebuilt larger")
                .isGreaterThan(4);

        for (Key key : List.of(live.get(0), live.get(1), live.get(7), live.get(8))) {
            revoke(key.id().hashCode() % 2 == 0 ? r1 : r2, key);
            live.remove(key);
            revoked.add(key);
        }
        awaitRefused(revoked);
        assertAll(live, revoked);

        // An untagged key whose announcement is lost, then both subscriptions are dropped:
        // after the re-subscription's rebuild, both replicas know it.
        Key unannounced = untaggedUnannounced(account + "_lost");
        long r1Builds = r1.bean(UntaggedKeys.class).builds();
        long r2Builds = r2.bean(UntaggedKeys.class).builds();
        RedisSupport.redis().commands().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
        live.add(unannounced);
        // From the drop until the rebuild the filter trusts no "no": never a false negative meanwhile.
        assertAll(live, revoked);
        await(() -> r1.bean(UntaggedKeys.class).builds() > r1Builds
                && r2.bean(UntaggedKeys.class).builds() > r2Builds
                && r1.bean(UntaggedKeys.class).ready()
                && r2.bean(UntaggedKeys.class).ready());
        assertAll(live, revoked);

        // A replica restarted: its first filter is built before it serves.
        r2.close();
        r2 = GatewayInstance.start(UPSTREAM, SMALL_FILTER);
        assertThat(r2.bean(UntaggedKeys.class).ready()).isTrue();
        assertAll(live, revoked);
        live.add(untagged(account + "_late", 33, "read_draft"));
        awaitFilters(live);
        assertAll(live, revoked);
    }

    @Test
    void recordsThatPredateTheSetAreMigratedOnceEvenByReplicasStartingTogether() throws Exception {
        String account = "acct_mig_" + suffix();
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String secret = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 28);
            RedisSupport.redis()
                    .commands()
                    .hset(
                            RedisSchema.keyRecord(ApiKeys.hash(secret)),
                            Map.of("id", "key_m" + i + suffix(), "account_id", account, "type", "read_write"));
            old.add(secret);
        }
        String taggedHash = ApiKeys.hash(ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40));
        RedisSupport.redis()
                .commands()
                .hset(
                        RedisSchema.keyRecord(taggedHash),
                        Map.of(
                                "id",
                                "key_t" + suffix(),
                                "account_id",
                                account,
                                "scopes",
                                "account:read",
                                "key_secret",
                                "x"));
        RedisSupport.redis().commands().del(RedisSchema.UNTAGGED_KEYS_MIGRATED);

        CompletableFuture<GatewayInstance> first =
                CompletableFuture.supplyAsync(() -> GatewayInstance.start(UPSTREAM, Map.of()));
        CompletableFuture<GatewayInstance> second =
                CompletableFuture.supplyAsync(() -> GatewayInstance.start(UPSTREAM, Map.of()));
        try (GatewayInstance a = first.get();
                GatewayInstance b = second.get()) {
            assertThat(RedisSupport.redis().commands().exists(RedisSchema.UNTAGGED_KEYS_MIGRATED))
                    .isEqualTo(1L);
            for (String secret : old) {
                assertThat(RedisSupport.redis().commands().sismember(RedisSchema.UNTAGGED_KEYS, ApiKeys.hash(secret)))
                        .isTrue();
                assertThat(credits(a, secret)).isEqualTo(200);
                assertThat(credits(b, secret)).isEqualTo(200);
            }
            assertThat(RedisSupport.redis().commands().sismember(RedisSchema.UNTAGGED_KEYS, taggedHash))
                    .as("a record with key_secret is tagged, not migrated")
                    .isFalse();
        } finally {
            RedisSupport.redis().commands().del(RedisSchema.keyRecord(taggedHash));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    /** Every live key is accepted and every revoked one refused, by both replicas, first try. */
    private static void assertAll(List<Key> live, List<Key> revoked) {
        for (GatewayInstance replica : List.of(r1, r2)) {
            for (Key key : live) {
                assertThat(credits(replica, key.secret()))
                        .as("live key %s", key.id())
                        .isEqualTo(200);
            }
            for (Key key : revoked) {
                assertThat(credits(replica, key.secret()))
                        .as("revoked key %s", key.id())
                        .isEqualTo(401);
            }
        }
    }

    /** Waits until both replicas' filters have every live untagged key's announcement. */
    private static void awaitFilters(List<Key> keys) {
        for (GatewayInstance replica : List.of(r1, r2)) {
            for (Key key : keys.stream().filter(Key::untagged).toList()) {
                GatewayTestBase.awaitUntagged(replica.bean(UntaggedKeys.class), ApiKeys.hash(key.secret()));
            }
        }
    }

    private static void awaitRefused(List<Key> keys) {
        await(() ->
                keys.stream().allMatch(key -> credits(r1, key.secret()) == 401 && credits(r2, key.secret()) == 401));
    }

    private static void await(BooleanSupplier condition) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        assertThat(condition.getAsBoolean()).as("within 10 s").isTrue();
    }

    /** An untagged record, its place in the account's index, the set, the announcement. */
    private static Key untagged(String account, int length, String type) {
        Key key = untaggedRecord(account, length, type);
        RedisSupport.redis().writeUntaggedKey(ApiKeys.hash(key.secret()), fields(key, type));
        return key;
    }

    /** As a writer whose announcement is lost: record, index and set, no message. */
    private static Key untaggedUnannounced(String account) {
        Key key = untaggedRecord(account, 26, null);
        String hash = ApiKeys.hash(key.secret());
        RedisSupport.redis().commands().hset(RedisSchema.keyRecord(hash), fields(key, null));
        RedisSupport.redis().commands().sadd(RedisSchema.UNTAGGED_KEYS, hash);
        return key;
    }

    private static Key untaggedRecord(String account, int length, String type) {
        Key key = new Key(account, "key_u" + suffix(), ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, length), true);
        RedisSupport.redis().commands().hset(RedisSchema.accountKeys(account), key.id(), ApiKeys.hash(key.secret()));
        return key;
    }

    private static Map<String, String> fields(Key key, String type) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", key.id());
        fields.put("account_id", key.account());
        if (type == null) {
            fields.put("scopes", "account:read");
        } else {
            fields.put("type", type);
        }
        return fields;
    }

    @SuppressWarnings("unchecked")
    private static Key create(GatewayInstance replica, String account) {
        Map<String, Object> created = replica.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "nfn", "preset", "read_only"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new Key(account, (String) created.get("id"), (String) created.get("key"), false);
    }

    private static void revoke(GatewayInstance replica, Key key) {
        replica.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", key.account(), key.id())
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
    }

    private static int credits(GatewayInstance replica, String secret) {
        return replica.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", secret)
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }
}
