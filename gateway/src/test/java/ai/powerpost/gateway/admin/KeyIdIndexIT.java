package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.auth.StoredKey;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisSupport;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Keys made before the key-id index existed are indexed by the first gateway that starts without
 * the index's marker, so {@code GET /admin/v1/keys/{keyId}} finds them too.
 */
class KeyIdIndexIT {

    @Test
    void keysThatPredateTheIndexAreFoundByIdAfterStartUp() {
        RedisCommands<String, String> redis = RedisSupport.redis().commands();
        String account = "acct_old_" + UUID.randomUUID().toString().substring(0, 8);
        String keyId = "key_old" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String hash = ApiKeys.hash("pp_live_sk_" + UUID.randomUUID().toString().replace("-", ""));
        // as a gateway before the index wrote it: the record and the account's index, nothing more
        redis.hset(
                RedisSchema.keyRecord(hash),
                KeyRecords.encode(StoredKey.created(keyId, account, "old", Scope.READ_ONLY, Instant.now())));
        redis.hset(RedisSchema.accountKeys(account), keyId, hash);
        redis.del(RedisSchema.KEY_IDS_INDEXED);

        try (RecordingUpstream upstream = new RecordingUpstream();
                GatewayInstance gateway = GatewayInstance.start(upstream, Map.of())) {
            Instant deadline = Instant.now().plusSeconds(10);
            int status;
            do {
                status = gateway.admin()
                        .get()
                        .uri("/admin/v1/keys/{k}", keyId)
                        .exchange()
                        .expectBody()
                        .returnResult()
                        .getStatus()
                        .value();
            } while (status != 200 && Instant.now().isBefore(deadline));
            assertThat(status).isEqualTo(200);
            assertThat(redis.get(RedisSchema.keyIdAccount(keyId))).isEqualTo(account);
            // the marker comes last, once every account was indexed
            while (redis.exists(RedisSchema.KEY_IDS_INDEXED) == 0
                    && Instant.now().isBefore(deadline)) {
                Thread.onSpinWait();
            }
            assertThat(redis.exists(RedisSchema.KEY_IDS_INDEXED)).isEqualTo(1);
        } finally {
            redis.del(RedisSchema.keyRecord(hash), RedisSchema.accountKeys(account), RedisSchema.keyIdAccount(keyId));
        }
    }
}
