package ai.powerpost.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Malformed keys (rejected without a look-up), unknown keys (one Redis look-up) and revoked keys
 * get the same answer in the same time: every INVALID_API_KEY waits for the configured minimum
 * latency (25 ms), far above what the look-up costs. Medians of interleaved samples, compared
 * side by side in one run, with a tolerance wide enough for a shared machine.
 */
@GatewayIntegrationTest
class KeyFailureTimingIT extends GatewayTestBase {

    private static final int SAMPLES = 25;
    private static final long FLOOR_MILLIS = 25;

    @Test
    void malformedUnknownAndRevokedKeysTakeTheSameTime() {
        List<String> revoked = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            Tenant tenant = tenant("read_only");
            revoke(tenant.key());
            revoked.add(tenant.key().key());
        }
        List<Long> malformed = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        List<Long> gone = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            int n = i;
            malformed.add(time(() -> "pp_live_sk_not-a-valid-key!" + n));
            unknown.add(time(() -> "pp_live_sk_" + UUID.randomUUID().toString().replace("-", "")));
            String key = revoked.get(i);
            gone.add(time(() -> key));
        }
        long m = median(malformed);
        long u = median(unknown);
        long r = median(gone);
        assertThat(List.of(m, u, r)).allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(FLOOR_MILLIS));
        assertThat(Math.max(m, Math.max(u, r)) - Math.min(m, Math.min(u, r)))
                .as("medians malformed=%d unknown=%d revoked=%d ms", m, u, r)
                .isLessThanOrEqualTo(10);
    }

    private long time(Supplier<String> key) {
        String value = key.get();
        long start = System.nanoTime();
        client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", value)
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .json("{\"error\":{\"code\":\"INVALID_API_KEY\",\"message\":\"Invalid API key\"}}", true);
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
