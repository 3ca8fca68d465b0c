package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** Closing the context (what SIGTERM does) flushes the last-used times still pending. */
class GracefulShutdownIT {

    @Test
    @SuppressWarnings("unchecked")
    void shutdownFlushesPendingLastUsedTimes() {
        try (RecordingUpstream upstream = new RecordingUpstream()) {
            GatewayInstance gateway = GatewayInstance.start(upstream, Map.of("gateway.usage.flush-interval", "1h"));
            String secret;
            try {
                Map<String, Object> created = gateway.admin()
                        .post()
                        .uri("/admin/v1/accounts/{a}/keys", "acct_shutdown_" + System.nanoTime())
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("name", "x", "preset", "read_only"))
                        .exchange()
                        .expectStatus()
                        .isCreated()
                        .expectBody(Map.class)
                        .returnResult()
                        .getResponseBody();
                secret = (String) created.get("key");
                gateway.client()
                        .get()
                        .uri("/api/v1/account/credits")
                        .header("x-api-key", secret)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult();
                assertThat(RedisSupport.redis()
                                .commands()
                                .hget("ppgw:key:{" + ApiKeys.hash(secret) + "}", "last_used_at"))
                        .as("nothing flushed yet: the interval is an hour")
                        .isNull();
            } finally {
                gateway.close();
            }
            Map<String, String> record =
                    RedisSupport.redis().commands().hgetall("ppgw:key:{" + ApiKeys.hash(secret) + "}");
            assertThat(record).containsKey("last_used_at").containsKey("su:account:read");
        }
    }
}
