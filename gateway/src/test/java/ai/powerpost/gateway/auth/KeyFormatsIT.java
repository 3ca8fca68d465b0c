package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RedisMonitor;
import ai.powerpost.gateway.support.RedisSupport;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every kind of key there is authenticates: tagged keys the key management API makes, untagged
 * records (written without a tag, in the untagged-key set), legacy {@code type} records, and
 * untagged keys of the minted length (whose 6 last characters are no tag).
 */
@GatewayIntegrationTest
class KeyFormatsIT extends GatewayTestBase {

    private static final SecureRandom RANDOM = new SecureRandom();

    private void creditsOk(String key) {
        client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", key)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
    }

    @Test
    void aKeyOfTheManagementApiIsTaggedWithTheMintingSecretAndAuthenticates() {
        Tenant tenant = tenant("read_only");
        String hash = ApiKeys.hash(tenant.key().key());

        assertThat(RedisSupport.redis().commands().hget(RedisSchema.keyRecord(hash), "key_secret"))
                .isEqualTo(KEY_SECRET_ID);
        assertThat(RedisSupport.redis().commands().sismember(RedisSchema.secretKeys(KEY_SECRET_ID), hash))
                .isTrue();
        assertThat(RedisSupport.redis().commands().sismember(RedisSchema.UNTAGGED_KEYS, hash))
                .isFalse();
        creditsOk(tenant.key().key());
    }

    @Test
    void anUntaggedRecordWithScopesAuthenticates() {
        String secret = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 32);
        writeUntaggedKey(secret, Map.of("id", unique("key"), "account_id", unique("acct"), "scopes", "account:read"));
        creditsOk(secret);
    }

    @Test
    void anUntaggedKeyOfTheMintedLengthAuthenticates() {
        // 40 characters like a tagged key, but its end is no tag: the filter lets it through
        String secret = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40);
        writeUntaggedKey(secret, Map.of("id", unique("key"), "account_id", unique("acct"), "scopes", "account:read"));
        creditsOk(secret);
    }

    @Test
    void legacyReadWriteAndReadDraftRecordsAuthenticate() {
        for (String type : new String[] {"read_write", "read_draft"}) {
            String secret = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 24);
            writeUntaggedKey(secret, Map.of("id", unique("key"), "account_id", unique("acct"), "type", type));
            creditsOk(secret);
        }
    }

    @Test
    void anUntaggedRecordNotInTheSetIsRefusedWithoutALookUp() {
        // The contract: a writer of an untagged record adds it to the set. One that does not is
        // refused, as any forged key, without a look-up.
        String secret = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 30);
        String hash = ApiKeys.hash(secret);
        RedisSupport.redis()
                .commands()
                .hset(
                        RedisSchema.keyRecord(hash),
                        Map.of("id", unique("key"), "account_id", unique("acct"), "scopes", "account:read"));
        // MONITOR, not the server's command counts: background flushes run HGETALL inside scripts
        try (RedisMonitor monitor = new RedisMonitor()) {
            client.get()
                    .uri("/api/v1/account/credits")
                    .header("x-api-key", secret)
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody(Void.class);
            assertThat(monitor.clientCommandsSoFar())
                    .as("the record is never looked up")
                    .noneMatch(command -> command.contains(hash));
        }
        RedisSupport.redis().commands().del(RedisSchema.keyRecord(hash)); // no stray record for a later migration
    }
}
