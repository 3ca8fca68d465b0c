package ai.powerpost.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RedisMonitor;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a flood of distinct, well-formed, forged keys costs the gateway no Redis command at
 * all (counted on the real server by MONITOR), and every one gets exactly the answer of an
 * unknown key, no sooner than the failure floor. Keys of the minted length carry a random "tag";
 * keys of other lengths cannot be tagged and are not in the untagged-key filter.
 */
@GatewayIntegrationTest
class ForgedKeysIT extends GatewayTestBase {

    private static final String INVALID_BODY =
            "{\"error\":{\"code\":\"INVALID_API_KEY\",\"message\":\"Invalid API key\"}}";
    private static final Duration FAILURE_FLOOR = Duration.ofMillis(25);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void aFloodOfDistinctForgedKeysCostsNoRedisCommandAndGetsTheUnknownKeyAnswer() {
        Tenant tenant = tenant("read_only");
        client.get() // the path works, with a real key
                .uri("/api/v1/account/credits")
                .header("x-api-key", tenant.key().key())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        List<String> forged = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // mostly of the minted form (34 random + 6 "tag"), some of other lengths
            int length = i % 5 == 0 ? 16 + RANDOM.nextInt(113) : 40;
            forged.add(ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, length));
        }
        List<String> hashes = forged.stream().map(ApiKeys::hash).toList();

        List<String> commands;
        try (RedisMonitor monitor = new RedisMonitor()) {
            for (String key : forged) {
                long started = System.nanoTime();
                client.get()
                        .uri("/api/v1/account/credits")
                        .header("x-api-key", key)
                        .exchange()
                        .expectStatus()
                        .isUnauthorized()
                        .expectHeader()
                        .valueEquals("WWW-Authenticate", "Bearer realm=\"powerpost\"")
                        .expectBody()
                        .json(INVALID_BODY, true);
                assertThat(Duration.ofNanos(System.nanoTime() - started))
                        .as("no sooner than the failure floor")
                        .isGreaterThanOrEqualTo(FAILURE_FLOOR);
            }
            commands = monitor.clientCommandsSoFar();
        }
        // Background work of this and other gateways in the JVM (usage flushes, rate-limit syncs:
        // EVALSHA) may run meanwhile; no key look-up, and nothing that names a forged key.
        assertThat(commands).noneMatch(command -> command.startsWith("\"hgetall\""));
        assertThat(commands).noneMatch(command -> hashes.stream().anyMatch(command::contains));
    }

    @Test
    void aForgedKeyAndARevokedKeyGetTheSameAnswer() {
        Tenant tenant = tenant("read_only");
        revoke(tenant.key());
        String forged = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40);
        for (String key : List.of(forged, tenant.key().key())) {
            client.get()
                    .uri("/api/v1/account/credits")
                    .header("x-api-key", key)
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectHeader()
                    .valueEquals("WWW-Authenticate", "Bearer realm=\"powerpost\"")
                    .expectBody()
                    .json(INVALID_BODY, true);
        }
    }
}
