package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * A roll never doubles what a client may do: during the grace the key and its successor spend one
 * allowance ({@code limit_id}), so requests on both together hit the limit of one key, and an
 * unrelated key of the same account keeps its own.
 */
class RolledKeysShareOneAllowanceIT {

    private static final int LIMIT = 10;
    private static final RecordingUpstream UPSTREAM = new RecordingUpstream();
    private static GatewayInstance gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayInstance.start(
                UPSTREAM,
                Map.of(
                        "gateway.routes.file",
                        TestRoutesFile.withDefaultClass(LIMIT, "1h"),
                        "gateway.rate-limit.sync-interval",
                        "100ms"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
    }

    @Test
    void bothKeysOfARollTogetherHitTheLimitOfOne() throws InterruptedException {
        RateLimitIT.awayFromAWindowEnd(Duration.ofHours(1));
        String account = "acct_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Map<String, Object> old =
                post("/admin/v1/accounts/" + account + "/keys", Map.of("name", "k", "preset", "read_only"));
        Map<String, Object> other =
                post("/admin/v1/accounts/" + account + "/keys", Map.of("name", "other", "preset", "read_only"));
        // three requests on the old key before the roll count too
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(credits((String) old.get("key")));
        }
        Map<String, Object> successor = post(
                "/admin/v1/accounts/" + account + "/keys/" + old.get("id") + "/roll",
                Map.of("expire_previous_in", "1h"));
        for (int i = 0; i < 6; i++) {
            statuses.add(credits((String) old.get("key")));
            statuses.add(credits((String) successor.get("key")));
        }
        assertThat(statuses.stream().filter(s -> s == 200).count())
                .as("admitted on both keys together: " + statuses)
                .isEqualTo(LIMIT);
        assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(15 - LIMIT);
        assertThat(credits((String) successor.get("key"))).isEqualTo(429);
        assertThat(credits((String) other.get("key")))
                .as("another key keeps its own allowance")
                .isEqualTo(200);
    }

    private static int credits(String key) {
        return gateway.client()
                .get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key)
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> post(String path, Map<String, Object> body) {
        return gateway.admin()
                .post()
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
    }
}
