package ai.powerpost.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shapes the suite-wide log check looks for, and what it leaves alone. */
class NoSecretsInLogsExtensionTest {

    @Test
    void findsKeysTokensAndHashesAndShowsNoneOfThem() {
        String key = "pp_live_sk_" + "a1B2".repeat(8);
        String testKey = "pp_test_sk_" + "Zz09".repeat(8);
        String token = "ppgw_op_" + "Q".repeat(43);
        String hash = "0123456789abcdef".repeat(4);
        String line = "refused " + key + " and " + testKey + ", token=" + token + " stored as ppgw:key:{" + hash + "}";
        assertThat(NoSecretsInLogsExtension.secretsIn(line))
                .hasSize(4)
                .noneMatch(found -> found.contains(key)
                        || found.contains(testKey)
                        || found.contains(token)
                        || found.contains(hash));
    }

    @Test
    void leavesRequestIdsTraceIdsAndKeyIdsAlone() {
        String line = "{\"request_id\":\"" + "0123456789abcdef".repeat(2) + "\",\"trace_id\":\""
                + "fedcba9876543210".repeat(2) + "\",\"key_id\":\"key_phg0uekGDHTXJIEfb7qy\",\"operator\":\"op_1\"}";
        assertThat(NoSecretsInLogsExtension.secretsIn(line)).isEmpty();
    }

    @Test
    void aLongerRunOfHexIsNotTakenForADigest() {
        assertThat(NoSecretsInLogsExtension.secretsIn("a".repeat(65))).isEmpty();
        assertThat(NoSecretsInLogsExtension.secretsIn("x" + "b".repeat(64) + "y"))
                .hasSize(1);
    }
}
