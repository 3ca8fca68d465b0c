package ai.powerpost.gateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSentinelSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Two gateway replicas configured for Redis Sentinel exactly as README says (the master's name and
 * the sentinels, no URL), against a real Sentinel group ({@link RedisSentinelSupport}: a primary,
 * a replica, three sentinels), under steady traffic while the primary fails: killed with SIGKILL,
 * or stalled by {@code DEBUG SLEEP}. Each time the sentinels promote the replica, and:
 *
 * <ul>
 *   <li>keys used recently (warm) get their normal answer on both replicas, every single request;
 *   <li>keys never used before (cold) answer 200 or 503, never 401; 503 only until shortly after
 *       the promotion;
 *   <li>the key management API creates and revokes keys again within seconds of the promotion; a
 *       revocation then reaches the other replica within one second, and what was created and
 *       revoked is what the new primary holds, for good;
 *   <li>last-used times and rate-limit counts are written to the new primary again.
 * </ul>
 */
class SentinelFailoverIT {

    private static final String CREDITS = "/api/v1/account/credits";
    private static final Duration FLUSH = Duration.ofMillis(300);
    private static final Duration PROMOTION_BOUND = Duration.ofSeconds(20);
    /** After the promotion, everything works again within this. */
    private static final Duration RECOVERY = Duration.ofSeconds(5);
    /** A revocation reaches the other replica within this. */
    private static final Duration PROPAGATION = Duration.ofSeconds(1);

    private static final int STALL_SECONDS = 5;
    private static final int WARM_KEYS = 4;
    /** One a tick on one replica: enough for the slowest promotion seen (3.1 s) + RECOVERY + margin on a loaded machine. */
    private static final int COLD_KEYS = 160;

    private static final Duration TRAFFIC_TICK = Duration.ofMillis(100);

    @Test
    void primaryKilledWithSigkillIsReplacedByThePromotedReplicaWithoutAWarmKeyFailing() {
        try (Setup setup = Setup.start()) {
            setup.withProcessLogs(() -> setup.failAndRecover("SIGKILL", setup.redis::killPrimary));
        }
    }

    @Test
    void primaryStalledByDebugSleepIsReplacedByThePromotedReplicaWithoutAWarmKeyFailing() {
        try (Setup setup = Setup.start()) {
            setup.withProcessLogs(() -> setup.failAndRecover(
                    "DEBUG SLEEP " + STALL_SECONDS, () -> setup.redis.stallPrimary(STALL_SECONDS)));
        }
    }

    // --- the scenario ------------------------------------------------------------------------

    private record Key(String account, String id, String secret) {
        String hash() {
            return ApiKeys.hash(secret);
        }
    }

    /** One answer the traffic got. */
    private record Outcome(Instant at, String gateway, String kind, String keyId, int status) {}

    private static final class Setup implements AutoCloseable {
        final RedisSentinelSupport redis;
        final RecordingUpstream upstream;
        final GatewayInstance a;
        final GatewayInstance b;

        private Setup(RedisSentinelSupport redis, RecordingUpstream upstream, GatewayInstance a, GatewayInstance b) {
            this.redis = redis;
            this.upstream = upstream;
            this.a = a;
            this.b = b;
        }

        static Setup start() {
            RedisSentinelSupport redis = RedisSentinelSupport.start();
            RecordingUpstream upstream = new RecordingUpstream();
            GatewayInstance a = null;
            try {
                Map<String, Object> properties = new LinkedHashMap<>();
                // README: SPRING_DATA_REDIS_SENTINEL_MASTER / SPRING_DATA_REDIS_SENTINEL_NODES, and no URL.
                properties.put("spring.data.redis.sentinel.master", RedisSentinelSupport.MASTER_NAME);
                properties.put("spring.data.redis.sentinel.nodes", redis.sentinelNodes());
                properties.put("spring.data.redis.url", GatewayInstance.UNSET);
                properties.put("spring.data.redis.timeout", "2s"); // the production default
                properties.put("gateway.usage.flush-interval", FLUSH.toMillis() + "ms");
                // rate-limit counts far from their limit go out at the quiet sync: here as often as the others
                properties.put("gateway.rate-limit.quiet-sync-interval", "100ms");
                properties.put("gateway.admin.max-keys-per-account", COLD_KEYS + WARM_KEYS + 10);
                a = GatewayInstance.start(upstream, properties);
                GatewayInstance b = GatewayInstance.start(upstream, properties);
                return new Setup(redis, upstream, a, b);
            } catch (RuntimeException | Error e) {
                if (a != null) {
                    a.close();
                }
                upstream.close();
                redis.close();
                throw e;
            }
        }

        /** A failed assertion carries every Redis process's log: the sentinels' view of the failover. */
        void withProcessLogs(Runnable scenario) {
            try {
                scenario.run();
            } catch (AssertionError e) {
                AssertionError withLogs = new AssertionError(e.getMessage() + "\n" + redis.describe(), e);
                throw withLogs;
            }
        }

        void failAndRecover(String failure, Supplier<Instant> fail) {
            for (GatewayInstance gateway : List.of(a, b)) {
                LettuceConnectionFactory factory = gateway.bean(LettuceConnectionFactory.class);
                assertThat(factory.getSentinelConfiguration())
                        .as("the gateway is in Sentinel mode")
                        .isNotNull();
                assertThat(factory.getSentinelConfiguration().getMaster().getName())
                        .isEqualTo(RedisSentinelSupport.MASTER_NAME);
            }
            String account = unique("acct");
            List<Key> warm = new ArrayList<>();
            for (int i = 0; i < WARM_KEYS; i++) {
                Key key = create(i % 2 == 0 ? a : b, account);
                assertThat(status(credits(a, key))).isEqualTo(200);
                assertThat(status(credits(b, key))).isEqualTo(200);
                warm.add(key);
            }
            Key victim = create(a, account); // warm on b, revoked right after the promotion
            assertThat(status(credits(b, victim))).isEqualTo(200);
            Deque<Key> cold = new ArrayDeque<>();
            for (int i = 0; i < COLD_KEYS; i++) {
                cold.add(create(i % 2 == 0 ? a : b, account)); // never used: cached nowhere
            }
            Key watched = warm.get(0);
            Traffic traffic = new Traffic(warm, cold);
            traffic.start();
            try {
                traffic.awaitRounds(5);
                Instant failed = fail.get();
                traffic.failedAt = failed;
                Instant promoted = redis.awaitPromotion(PROMOTION_BOUND);
                promotedMarker = promoted;
                log(
                        "%s: primary %s failed at 0 ms; %s promoted at %d ms",
                        failure, redis.primary(), redis.replica(), millis(failed, promoted));
                var newPrimary = redis.commands(redis.replica());

                // Management writes work again within seconds of the promotion.
                Instant deadline = promoted.plus(RECOVERY);
                Key created = null;
                int attempts = 0;
                while (created == null && Instant.now().isBefore(deadline)) {
                    attempts++;
                    created = tryCreate(a, account);
                }
                assertThat(created)
                        .as(
                                "a key created through the management API within %s of the promotion (%d attempts)",
                                RECOVERY, attempts)
                        .isNotNull();
                log("key created at %d ms (attempt %d)", millis(failed, Instant.now()), attempts);
                int revokeStatus;
                do {
                    revokeStatus = revoke(a, victim);
                } while (revokeStatus == 503 && Instant.now().isBefore(deadline));
                assertThat(revokeStatus)
                        .as("revocation within %s of the promotion", RECOVERY)
                        .isEqualTo(204);
                Instant revoked = Instant.now();
                log("victim revoked at %d ms", millis(failed, revoked));

                // The revocation reaches the other replica within a second; the new key works there.
                int seenByB;
                do {
                    seenByB = status(credits(b, victim));
                } while (seenByB == 200 && Instant.now().isBefore(revoked.plus(PROPAGATION)));
                log("b answered %d for the revoked key at %d ms", seenByB, millis(failed, Instant.now()));
                assertThat(seenByB)
                        .as(
                                "the other replica refuses the key revoked %s ago",
                                Duration.between(revoked, Instant.now()))
                        .isEqualTo(401);
                Key fresh = created;
                int freshOnB;
                do {
                    freshOnB = status(credits(b, fresh));
                } while (freshOnB != 200 && Instant.now().isBefore(revoked.plus(PROPAGATION)));
                assertThat(freshOnB)
                        .as("the key created after the promotion, on the other replica")
                        .isEqualTo(200);

                // What was acknowledged is what the primary the sentinels chose holds, once the old
                // primary (if it lives) has been turned into its replica: nothing silently undone.
                Instant settle = Instant.now().plusSeconds(25);
                while (redis.primary().isAlive()
                        && !"slave".equals(infoOrEmpty(redis, redis.primary()).get("role"))
                        && Instant.now().isBefore(settle)) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                assertThat(newPrimary.exists(RedisSchema.keyRecord(victim.hash())))
                        .as("the revoked key's record on the primary the sentinels promoted")
                        .isZero();
                assertThat(newPrimary.exists(RedisSchema.keyRecord(created.hash())))
                        .as("the created key's record on the primary the sentinels promoted")
                        .isEqualTo(1);
                log("records checked on the new primary at %d ms", millis(failed, Instant.now()));
                // Last-used and rate-limit writes reach the new primary.
                // last-used times are kept to the minute (docs/redis-schema.md)
                Instant usedAfter = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
                long countsBefore = rateLimitCount(newPrimary, watched);
                Instant writesDeadline = Instant.now().plusSeconds(10);
                Long lastUsed = null;
                long counts = countsBefore;
                while ((lastUsed == null || lastUsed < usedAfter.toEpochMilli() || counts <= countsBefore)
                        && Instant.now().isBefore(writesDeadline)) {
                    String value = newPrimary.hget(RedisSchema.keyRecord(watched.hash()), RedisSchema.LAST_USED_AT);
                    lastUsed = value == null ? null : Long.parseLong(value);
                    counts = rateLimitCount(newPrimary, watched);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                assertThat(lastUsed)
                        .as("last_used_at written to the new primary after the promotion")
                        .isNotNull()
                        .isGreaterThanOrEqualTo(usedAfter.toEpochMilli());
                assertThat(counts)
                        .as("rate-limit counts written to the new primary after the promotion")
                        .isGreaterThan(countsBefore);
                log("last-used and rate-limit writes seen on the new primary at %d ms", millis(failed, Instant.now()));

                // Give the cold keys a chance past the recovery bound, then stop.
                traffic.awaitUntil(promoted.plus(RECOVERY).plusMillis(500));
                traffic.stop();

            } finally {
                traffic.stop();
            }
            traffic.report(failure);
            Instant failedAt = traffic.failedAt;
            List<Outcome> outcomes = traffic.outcomes();
            List<Outcome> warmFailures = outcomes.stream()
                    .filter(o -> o.kind().equals("warm") && o.status() != 200)
                    .toList();
            assertThat(warmFailures)
                    .as(
                            "warm keys answered something else than 200 (ms after the failure: %s)",
                            warmFailures.stream()
                                    .map(o -> o.gateway() + "@" + millis(failedAt, o.at()) + "=" + o.status())
                                    .toList())
                    .isEmpty();
            List<Outcome> coldOutcomes =
                    outcomes.stream().filter(o -> o.kind().equals("cold")).toList();
            assertThat(coldOutcomes)
                    .as("cold keys answer 200 or 503, never 401")
                    .allMatch(o -> o.status() == 200 || o.status() == 503);
            Instant windowEnd = traffic.promotedAt().plus(RECOVERY);
            assertThat(coldOutcomes)
                    .as("cold keys answer 503 only during the failover (until %s after the promotion)", RECOVERY)
                    .filteredOn(o -> o.at().isAfter(windowEnd))
                    .allMatch(o -> o.status() == 200)
                    .isNotEmpty();
        }

        private Instant promotedMarker;

        /** The steady traffic: each tick, the next warm key on both replicas and the next cold key on one. */
        private final class Traffic {
            private final List<Key> warm;
            private final Deque<Key> cold;
            private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            private final AtomicBoolean running = new AtomicBoolean(true);
            private volatile int rounds;
            private final Thread thread;
            volatile Instant failedAt;

            Traffic(List<Key> warm, Deque<Key> cold) {
                this.warm = warm;
                this.cold = cold;
                this.thread = new Thread(this::run, "sentinel-it-traffic");
            }

            void start() {
                thread.start();
            }

            private void run() {
                Instant end = Instant.now().plusSeconds(60); // bounded whatever happens
                int i = 0;
                while (running.get() && Instant.now().isBefore(end)) {
                    long tick = System.nanoTime() + TRAFFIC_TICK.toNanos();
                    Key key = warm.get(i % warm.size());
                    for (GatewayInstance gateway : List.of(a, b)) {
                        send(gateway, "warm", key);
                    }
                    Key next;
                    synchronized (cold) {
                        next = cold.poll();
                    }
                    if (next != null) {
                        send(i % 2 == 0 ? a : b, "cold", next);
                    }
                    i++;
                    rounds = i;
                    LockSupport.parkNanos(Math.max(0, tick - System.nanoTime()));
                }
            }

            private void send(GatewayInstance gateway, String kind, Key key) {
                int status;
                try {
                    status = status(credits(gateway, key));
                } catch (RuntimeException e) {
                    status = -1; // no answer at all
                }
                outcomes.add(new Outcome(Instant.now(), gateway == a ? "a" : "b", kind, key.id(), status));
            }

            void awaitRounds(int n) {
                Instant until = Instant.now().plusSeconds(10);
                while (rounds < n && Instant.now().isBefore(until)) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                assertThat(rounds).as("traffic rounds before the failure").isGreaterThanOrEqualTo(n);
            }

            void awaitUntil(Instant at) {
                while (Instant.now().isBefore(at) && thread.isAlive()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }

            void stop() {
                running.set(false);
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            List<Outcome> outcomes() {
                return List.copyOf(outcomes);
            }

            Instant promotedAt() {
                return promotedMarker;
            }

            void report(String failure) {
                Map<String, int[]> byKind = new LinkedHashMap<>();
                Map<String, List<String>> non200 = new LinkedHashMap<>();
                for (Outcome o : outcomes) {
                    byKind.computeIfAbsent(o.kind() + " " + o.status(), k -> new int[1])[0]++;
                    if (o.status() != 200) {
                        non200.computeIfAbsent(o.kind(), k -> new ArrayList<>())
                                .add(o.gateway() + "@" + millis(failedAt, o.at()) + "=" + o.status());
                    }
                }
                Map<String, Integer> counts = new LinkedHashMap<>();
                byKind.forEach((k, v) -> counts.put(k, v[0]));
                log(
                        "%s traffic: %s; promoted at %d ms; not 200 (gateway@ms after the failure): %s",
                        failure, counts, millis(failedAt, promotedMarker), non200);
            }
        }

        @Override
        public void close() {
            try {
                b.close();
            } finally {
                try {
                    a.close();
                } finally {
                    try {
                        upstream.close();
                    } finally {
                        redis.close();
                    }
                }
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private static Map<String, String> infoOrEmpty(RedisSentinelSupport redis, RedisSentinelSupport.Instance node) {
        try {
            return redis.info(node, "replication");
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** Every count of the key, over all windows and replicas, as the primary holds them now. */
    private static long rateLimitCount(io.lettuce.core.api.sync.RedisCommands<String, String> primary, Key key) {
        long total = 0;
        for (String counter : primary.keys("ppgw:rl:*:" + key.id())) {
            for (String count : primary.hgetall(counter).values()) {
                total += Long.parseLong(count);
            }
        }
        return total;
    }

    private static Key create(GatewayInstance gateway, String account) {
        Key key = tryCreate(gateway, account);
        assertThat(key).as("key created").isNotNull();
        return key;
    }

    @SuppressWarnings("unchecked")
    private static Key tryCreate(GatewayInstance gateway, String account) {
        EntityExchangeResult<Map> result = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "failover", "preset", "read_only"))
                .exchange()
                .expectBody(Map.class)
                .returnResult();
        if (result.getStatus().value() != 201) {
            assertThat(result.getStatus().value()).as("key creation answer").isEqualTo(503);
            return null;
        }
        Map<String, Object> body = result.getResponseBody();
        return new Key(account, (String) body.get("id"), (String) body.get("key"));
    }

    private static int revoke(GatewayInstance gateway, Key key) {
        return gateway.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", key.account(), key.id())
                .exchange()
                .expectBody()
                .returnResult()
                .getStatus()
                .value();
    }

    private static WebTestClient.ResponseSpec credits(GatewayInstance gateway, Key key) {
        return gateway.client()
                .get()
                .uri(CREDITS)
                .header("x-api-key", key.secret())
                .exchange();
    }

    /** The status, with the body consumed so the connection goes back to the pool. */
    private static int status(WebTestClient.ResponseSpec response) {
        return response.expectBody().returnResult().getStatus().value();
    }

    private static long millis(Instant from, Instant to) {
        return from == null || to == null ? -1 : Duration.between(from, to).toMillis();
    }

    private static void log(String format, Object... args) {
        System.out.println("[sentinel-it] " + String.format(format, args));
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
