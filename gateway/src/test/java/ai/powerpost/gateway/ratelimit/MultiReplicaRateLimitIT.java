package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.ratelimit.RateLimitIT.Key;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

/**
 * Two gateway replicas sharing the real Redis, {@code default: 10 per hour}: once both are warm
 * and synced, what they admit together stays within the documented bound (docs/rate-limiting.md):
 * {@code admitted <= min(N L, L + sum_i min(L, 2 R_i(S)))}, S = sync interval + one sync's duration,
 * R_i(S) the most requests replica i receives within any S; and each alone never exceeds L.
 */
class MultiReplicaRateLimitIT {

    private static final int LIMIT = RateLimitIT.LIMIT;
    private static final Duration SYNC = Duration.ofMillis(100);
    /** S = Δ + d, with d (one sync's duration, a few ms here) given a generous allowance for a slow machine. */
    private static final Duration S = SYNC.plusMillis(150);

    private static final RecordingUpstream UNUSED = new RecordingUpstream();
    private static final UpstreamWithItsOwnLimits UPSTREAM = new UpstreamWithItsOwnLimits();
    private static final List<GatewayInstance> REPLICAS = new ArrayList<>();

    @BeforeAll
    static void start() {
        Map<String, Object> properties = Map.of(
                "gateway.routes.file", TestRoutesFile.withDefaultClass(LIMIT, "1h"),
                "GATEWAY_UPSTREAM_POWERPOST", UPSTREAM.uri(),
                "gateway.rate-limit.sync-interval", SYNC.toMillis() + "ms");
        REPLICAS.add(GatewayInstance.start(UNUSED, properties));
        REPLICAS.add(GatewayInstance.start(UNUSED, properties));
    }

    @AfterAll
    static void stop() {
        REPLICAS.forEach(GatewayInstance::close);
        UPSTREAM.close();
        UNUSED.close();
    }

    @BeforeEach
    void notAtTheEndOfAWindow() throws InterruptedException {
        RateLimitIT.awayFromAWindowEnd(Duration.ofHours(1));
    }

    /** Authenticates on every replica without spending quota (403: the key lacks posts:write). */
    private static void warm(Key key) {
        for (GatewayInstance replica : REPLICAS) {
            replica.client()
                    .post()
                    .uri("/api/v1/posts")
                    .header("x-api-key", key.secret())
                    .header("X-Workspace-Id", key.workspace())
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{}")
                    .exchange()
                    .expectStatus()
                    .isForbidden()
                    .expectBody()
                    .returnResult();
        }
    }

    @Test
    void alternatingRequestsStayWithinTheBound() throws InterruptedException {
        Key key = RateLimitIT.newKey(REPLICAS.get(0), "read_only");
        warm(key);
        // Paced so that each replica has synced between two of its requests: R_i(S) is 1.
        int[] admitted = new int[REPLICAS.size()];
        List<List<Long>> sentAt = List.of(new ArrayList<>(), new ArrayList<>());
        long origin = System.nanoTime();
        for (int i = 0; i < 2 * LIMIT + 6; i++) {
            int replica = i % REPLICAS.size();
            sentAt.get(replica).add(Duration.ofNanos(System.nanoTime() - origin).toMillis());
            int status = RateLimitIT.credits(REPLICAS.get(replica), key)
                    .expectBody()
                    .returnResult()
                    .getStatus()
                    .value();
            assertThat(status).isIn(200, 429);
            if (status == 200) {
                admitted[replica]++;
            }
            Thread.sleep(200); // each replica gets one request every 400 ms
        }
        int total = admitted[0] + admitted[1];
        long bound = bound(sentAt);
        System.out.printf(
                "rate-limit alternating: admitted %d + %d = %d of %d sent, bound %d (L=%d, N=2)%n",
                admitted[0], admitted[1], total, 2 * LIMIT + 6, bound, LIMIT);
        assertThat(java.util.Arrays.stream(admitted).max().orElse(0))
                .as("each replica alone")
                .isLessThanOrEqualTo(LIMIT);
        assertThat(total).isGreaterThanOrEqualTo(LIMIT).isLessThanOrEqualTo((int) bound);
        assertThat(bound)
                .as("the test can tell a synced pair from two blind ones")
                .isLessThan(2L * LIMIT);
        assertThat(UPSTREAM.received(key.id())).isEqualTo(total);
    }

    @Test
    void burstsOnBothReplicasStayWithinTheBoundAndStopTwoBurstsAfterTheLimit() throws InterruptedException {
        Key key = RateLimitIT.newKey(REPLICAS.get(0), "read_only");
        warm(key);
        int burst = 4;
        List<int[]> perBurst = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            perBurst.add(burstOnBoth(key, burst));
            Thread.sleep(1000); // ten sync intervals: every replica has pushed and, if it admitted, read
        }
        int[] admitted = new int[REPLICAS.size()];
        int limitReachedIn = -1;
        int cumulative = 0;
        for (int round = 0; round < perBurst.size(); round++) {
            for (int replica = 0; replica < admitted.length; replica++) {
                admitted[replica] += perBurst.get(round)[replica];
                cumulative += perBurst.get(round)[replica];
            }
            if (limitReachedIn < 0 && cumulative >= LIMIT) {
                limitReachedIn = round;
            }
        }
        int total = admitted[0] + admitted[1];
        long bound = Math.min(2L * LIMIT, LIMIT + 2L * Math.min(LIMIT, 2 * burst));
        System.out.printf(
                "rate-limit bursts of %d per replica: admitted per burst %s, total %d, bound %d%n",
                burst, perBurst.stream().map(b -> b[0] + "+" + b[1]).toList(), total, bound);
        assertThat(limitReachedIn).isEqualTo(1); // 8 after the first burst, at least 12 after the second
        assertThat(java.util.Arrays.stream(admitted).max().orElse(0))
                .as("each replica alone")
                .isLessThanOrEqualTo(LIMIT);
        assertThat(total).isLessThanOrEqualTo((int) bound);
        for (int round = limitReachedIn + 2; round < perBurst.size(); round++) {
            assertThat(perBurst.get(round)).as("burst %d", round).containsOnly(0);
        }
        assertThat(UPSTREAM.received(key.id())).isEqualTo(total);
    }

    /** {@code burst} concurrent requests on each replica at once; what each admitted. */
    private static int[] burstOnBoth(Key key, int burst) {
        List<WebClient> clients =
                REPLICAS.stream().map(MultiReplicaRateLimitIT::webClient).toList();
        List<Integer> statuses = Flux.range(0, burst * clients.size())
                .flatMap(
                        i -> clients.get(i % clients.size())
                                .get()
                                .uri("/api/v1/account/credits")
                                .header("x-api-key", key.secret())
                                .exchangeToMono(response -> response.releaseBody()
                                        .thenReturn((i % clients.size()) * 1000
                                                + response.statusCode().value())),
                        burst * clients.size())
                .collectList()
                .block(Duration.ofSeconds(30));
        int[] admitted = new int[clients.size()];
        for (int status : statuses) {
            assertThat(status % 1000).isIn(200, 429);
            if (status % 1000 == 200) {
                admitted[status / 1000]++;
            }
        }
        return admitted;
    }

    private static WebClient webClient(GatewayInstance replica) {
        int port = Integer.parseInt(
                replica.bean(org.springframework.core.env.Environment.class).getRequiredProperty("local.server.port"));
        return WebClient.builder()
                .baseUrl("http://127.0.0.1:" + port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.newConnection()))
                .build();
    }

    /**
     * The documented bound, from what was actually sent: min(N L, L + sum_i min(L, 2 R_i(S))),
     * R_i(S) the most requests sent to replica i within any S.
     */
    private static long bound(List<List<Long>> sentAt) {
        long overshoot = 0;
        for (List<Long> times : sentAt) {
            int most = 0;
            for (int i = 0; i < times.size(); i++) {
                int within = 0;
                for (int j = i; j < times.size() && times.get(j) - times.get(i) < S.toMillis(); j++) {
                    within++;
                }
                most = Math.max(most, within);
            }
            overshoot += Math.min(LIMIT, 2L * most);
        }
        return Math.min((long) sentAt.size() * LIMIT, LIMIT + overshoot);
    }
}
