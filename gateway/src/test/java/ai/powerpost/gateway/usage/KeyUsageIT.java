package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Usage per key across two replicas sharing one Redis: what the usage API reports is exactly what
 * was sent through both (per route and hour, per status class, per client network), the writes of
 * one flush do not grow with the requests, and findings of unexpected activity reach the anomalies
 * listing and the metric. Client networks come from {@code X-Forwarded-For}, 127.0.0.1 being a
 * trusted proxy.
 */
class KeyUsageIT {

    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance a;
    private static GatewayInstance b;
    /** A replica that flushes only when told: its write cost per flush is counted exactly. */
    private static GatewayInstance manual;

    @BeforeAll
    static void start() {
        Map<String, Object> properties = Map.of(
                "gateway.usage.flush-interval", "300ms",
                "gateway.usage.counts-flush-interval", "300ms",
                "gateway.usage.successor-cache-ttl", "100ms",
                "gateway.edge.trusted-proxies", "127.0.0.1/32");
        a = GatewayInstance.start(UPSTREAM, properties);
        b = GatewayInstance.start(UPSTREAM, properties);
        manual = GatewayInstance.start(
                UPSTREAM,
                Map.of(
                        "gateway.usage.flush-interval",
                        "1h",
                        "gateway.usage.counts-flush-interval",
                        "1h",
                        "gateway.edge.trusted-proxies",
                        "127.0.0.1/32"));
    }

    @AfterAll
    static void stop() {
        manual.close();
        b.close();
        a.close();
        UPSTREAM.close();
    }

    @Test
    void countsPerRouteHourStatusClassAndNetworkAreExactlyWhatWasSentThroughBothReplicas() {
        Key key = newKey(a, "full_access");
        String workspace = "ws_" + UUID.randomUUID().toString().substring(0, 8);
        a.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", key.account(), workspace)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        Set<String> hours = new LinkedHashSet<>();
        hours.add(UsageRules.hour(System.currentTimeMillis()));
        for (int i = 0; i < 7; i++) {
            credits(a, key, "198.51.100.7", null).expectStatus().isOk().expectBody(Void.class);
        }
        for (int i = 0; i < 3; i++) {
            credits(a, key, "198.51.100.200", "404").expectStatus().isNotFound().expectBody(Void.class);
        }
        for (int i = 0; i < 5; i++) {
            credits(b, key, "203.0.113.5", null).expectStatus().isOk().expectBody(Void.class);
        }
        credits(b, key, "2001:db8:1::5", "500")
                .expectStatus()
                .is5xxServerError()
                .expectBody(Void.class);
        for (int i = 0; i < 4; i++) {
            b.client()
                    .get()
                    .uri("/api/v1/content/generations")
                    .header("x-api-key", key.secret())
                    .header("X-Workspace-Id", workspace)
                    .header("X-Forwarded-For", "::ffff:192.0.2.1")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Void.class);
        }
        hours.add(UsageRules.hour(System.currentTimeMillis()));

        Map<String, Object> usage = await(
                () -> usage(a, key, 2), body -> total(body) == 20 && ((List<?>) body.get("networks")).size() == 4);

        String today = LocalDate.now(ZoneOffset.UTC).toString();
        List<Map<String, Object>> days = list(usage.get("days"));
        assertThat(usage.get("key_id")).isEqualTo(key.id());
        assertThat(days)
                .extracting(day -> day.get("date"))
                .containsExactly(LocalDate.now(ZoneOffset.UTC).minusDays(1).toString(), today);
        Map<String, Object> day = days.get(1);
        assertThat(day.get("requests")).isEqualTo(20);
        assertThat(day.get("requests_by_route"))
                .isEqualTo(Map.of("account-credits", 16, "content-generations-list", 4));
        assertThat(day.get("answers_by_status_class")).isEqualTo(Map.of("2xx", 16, "4xx", 3, "5xx", 1));
        assertThat(list(usage.get("networks")))
                .extracting(network -> network.get("cidr") + " " + network.get("requests"))
                .containsExactly("198.51.100.0/24 10", "203.0.113.0/24 5", "192.0.2.0/24 4", "2001:db8:1::/48 1");
        for (Map<String, Object> network : list(usage.get("networks"))) {
            Instant first = Instant.parse((String) network.get("first_seen"));
            Instant last = Instant.parse((String) network.get("last_seen"));
            assertThat(first).isBeforeOrEqualTo(last).isAfter(Instant.now().minusSeconds(120));
        }

        // per route and hour, as stored
        long credits = 0;
        long generations = 0;
        for (String hour : hours) {
            Map<String, String> counts = RedisSupport.redis().commands().hgetall(UsageKeys.hour(key.id(), hour));
            credits += Long.parseLong(counts.getOrDefault("r:account-credits", "0"));
            generations += Long.parseLong(counts.getOrDefault("r:content-generations-list", "0"));
        }
        assertThat(credits).isEqualTo(16);
        assertThat(generations).isEqualTo(4);
        assertThat(RedisSupport.redis().commands().keys("ppgw:usage:{" + key.id() + "}:*"))
                .as("every name carries the key id as its hash tag, never a secret or its hash")
                .allMatch(name -> name.startsWith("ppgw:usage:{" + key.id() + "}:"));
    }

    @Test
    void theWritesOfOneFlushOfOneKeyDoNotGrowWithItsRequests() {
        Key key = newKey(manual, "read_only");
        KeyUsageRecorder recorder = manual.bean(KeyUsageRecorder.class);
        // one script call per key and hour (two only when a flush spans the turn of an hour)
        List<String> few = commandsOfOneFlush(key, recorder, 5);
        List<String> many = commandsOfOneFlush(key, recorder, 300);
        assertThat(few).hasSizeBetween(1, 2).allMatch(command -> command.startsWith("\"eval\""));
        assertThat(many).hasSizeBetween(1, 2).allMatch(command -> command.startsWith("\"eval\""));
    }

    private static List<String> commandsOfOneFlush(Key key, KeyUsageRecorder recorder, int requests) {
        for (int i = 0; i < requests; i++) {
            credits(manual, key, "198.51.100." + (i % 200), null)
                    .expectStatus()
                    .isOk()
                    .expectBody(Void.class);
        }
        try (RedisMonitor monitor = new RedisMonitor()) {
            recorder.flush().block(Duration.ofSeconds(10));
            return monitor.clientCommandsSoFar().stream()
                    .filter(command -> command.contains(("ppgw:usage:{" + key.id() + "}").toLowerCase()))
                    .toList();
        }
    }

    @Test
    void aKeyUsedAfterItsSuccessorIsListedOnceAndCountedByRule() {
        double before = findings("used_after_successor");
        Key old = newKey(a, "read_only");
        credits(a, old, "198.51.100.1", null).expectStatus().isOk().expectBody(Void.class);
        Map<String, Object> rolled = a.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys/{k}/roll", old.account(), old.id())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("expire_previous_in", "1h"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(MAP)
                .returnResult()
                .getResponseBody();
        Key successor = new Key(old.account(), (String) rolled.get("id"), (String) rolled.get("key"));
        credits(b, successor, "198.51.100.1", null).expectStatus().isOk().expectBody(Void.class);
        await(
                () -> RedisSupport.redis().commands().hget(UsageKeys.meta(successor.id()), "first"),
                first -> first != null);

        Map<String, Object> finding = await(
                () -> {
                    credits(a, old, "198.51.100.1", null).expectStatus().isOk().expectBody(Void.class);
                    return findingOf(old, "used_after_successor");
                },
                found -> found != null);

        assertThat(finding.get("account_id")).isEqualTo(old.account());
        assertThat((String) finding.get("evidence")).contains(successor.id());
        for (int i = 0; i < 3; i++) {
            credits(b, old, "198.51.100.1", null).expectStatus().isOk().expectBody(Void.class);
        }
        awaitFlushes();
        assertThat(list(anomalies().get("data")))
                .filteredOn(f -> old.id().equals(f.get("key_id")))
                .as("one finding per key, rule, subject and day")
                .hasSize(1);
        assertThat(findings("used_after_successor") - before).isEqualTo(1);
    }

    @Test
    void aNetworkNewToAKeyUsedSinceDaysBeforeIsFoundOnceAndSteadyTrafficFindsNothing() {
        Key key = newKey(a, "read_only");
        // the key's history: first used three days ago, from 203.0.113.0/24 yesterday
        long threeDaysAgo = System.currentTimeMillis() - 3 * UsageRules.DAY;
        RedisSupport.redis().commands().hset(UsageKeys.meta(key.id()), "first", Long.toString(threeDaysAgo));
        RedisSupport.redis()
                .commands()
                .hset(
                        UsageKeys.networksSeen(key.id()),
                        "203.0.113.0/24",
                        Long.toString(System.currentTimeMillis() - UsageRules.DAY));
        for (int i = 0; i < 5; i++) {
            credits(a, key, "203.0.113.9", null).expectStatus().isOk().expectBody(Void.class);
        }
        awaitFlushes();
        assertThat(findingOf(key, "new_network"))
                .as("a network seen yesterday is not new")
                .isNull();

        credits(b, key, "198.51.100.77", null).expectStatus().isOk().expectBody(Void.class);
        Map<String, Object> finding = await(() -> findingOf(key, "new_network"), found -> found != null);
        assertThat((String) finding.get("evidence")).contains("198.51.100.0/24");

        credits(a, key, "198.51.100.78", null).expectStatus().isOk().expectBody(Void.class);
        awaitFlushes();
        assertThat(list(anomalies().get("data")))
                .filteredOn(f -> key.id().equals(f.get("key_id")))
                .hasSize(1);
    }

    @Test
    void aNewKeysFirstDayFindsNothing() {
        Key key = newKey(a, "read_only");
        for (String address : List.of("198.51.100.1", "203.0.113.1", "192.0.2.1", "2001:db8:5::1")) {
            credits(a, key, address, null).expectStatus().isOk().expectBody(Void.class);
        }
        awaitFlushes();
        assertThat(list(anomalies().get("data"))).noneMatch(f -> key.id().equals(f.get("key_id")));
    }

    @Test
    void theUsageApiRefusesABadPeriodAndAnswers404ForAKeyTheAccountDoesNotHold() {
        Key key = newKey(a, "read_only");
        for (String query : List.of("days=0", "days=36", "days=x", "days=-1", "days=7&days=8", "day=7")) {
            a.admin()
                    .get()
                    .uri("/admin/v1/accounts/{a}/keys/{k}/usage?" + query, key.account(), key.id())
                    .exchange()
                    .expectStatus()
                    .isBadRequest()
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("VALIDATION_ERROR");
        }
        a.admin()
                .get()
                .uri("/admin/v1/accounts/{a}/keys/{k}/usage", "other_account", key.id())
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("NOT_FOUND");
        Map<String, Object> usage = usage(a, key, null);
        assertThat(list(usage.get("days")))
                .hasSize(30)
                .allMatch(day -> day.get("requests").equals(0));
        assertThat(list(usage.get("networks"))).isEmpty();
        a.admin()
                .get()
                .uri("/admin/v1/anomalies?since=yesterday")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("VALIDATION_ERROR");
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Key(String account, String id, String secret) {}

    private static final org.springframework.core.ParameterizedTypeReference<Map<String, Object>> MAP =
            new org.springframework.core.ParameterizedTypeReference<>() {};

    private static Key newKey(GatewayInstance instance, String preset) {
        String account = "acct_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> created = instance.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "usage", "preset", preset))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(MAP)
                .returnResult()
                .getResponseBody();
        return new Key(account, (String) created.get("id"), (String) created.get("key"));
    }

    private static WebTestClient.ResponseSpec credits(
            GatewayInstance instance, Key key, String client, @Nullable String upstreamStatus) {
        return instance.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key.secret())
                .header("X-Forwarded-For", client)
                .headers(headers -> {
                    if (upstreamStatus != null) {
                        headers.set(RecordingUpstream.STATUS_HEADER, upstreamStatus);
                    }
                })
                .exchange();
    }

    private static Map<String, Object> usage(GatewayInstance instance, Key key, @Nullable Integer days) {
        return instance.admin()
                .get()
                .uri(
                        "/admin/v1/accounts/{a}/keys/{k}/usage" + (days == null ? "" : "?days=" + days),
                        key.account(),
                        key.id())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(MAP)
                .returnResult()
                .getResponseBody();
    }

    private static Map<String, Object> anomalies() {
        return b.admin()
                .get()
                .uri("/admin/v1/anomalies")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(MAP)
                .returnResult()
                .getResponseBody();
    }

    private static @Nullable Map<String, Object> findingOf(Key key, String rule) {
        return list(anomalies().get("data")).stream()
                .filter(f -> key.id().equals(f.get("key_id")) && rule.equals(f.get("rule")))
                .findFirst()
                .orElse(null);
    }

    private static double findings(String rule) {
        double sum = 0;
        for (GatewayInstance instance : List.of(a, b, manual)) {
            sum += instance.bean(MeterRegistry.class)
                    .counter(UsageStore.FINDINGS_METRIC, "rule", rule)
                    .count();
        }
        return sum;
    }

    private static long total(Map<String, Object> usage) {
        return list(usage.get("days")).stream()
                .mapToLong(day -> ((Number) day.get("requests")).longValue())
                .sum();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    /** Both replicas have flushed what they counted so far. */
    private static void awaitFlushes() {
        a.bean(KeyUsageRecorder.class).flush().block(Duration.ofSeconds(10));
        b.bean(KeyUsageRecorder.class).flush().block(Duration.ofSeconds(10));
    }

    private static <T> T await(Supplier<T> read, java.util.function.Predicate<T> done) {
        Instant deadline = Instant.now().plusSeconds(15);
        T value = read.get();
        while (!done.test(value) && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            value = read.get();
        }
        assertThat(done.test(value)).as("within 15 s: %s", value).isTrue();
        return value;
    }
}
