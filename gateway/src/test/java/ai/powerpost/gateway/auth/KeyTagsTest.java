package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Keys that prove themselves: what a tag is, what verifies it, and what does not. */
class KeyTagsTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Key tags with one secret per id (each 32 bytes, derived from the id) and the minting id (or null). */
    static KeyTags tags(String minting, String... ids) {
        Map<String, KeySecret> secrets = new LinkedHashMap<>();
        for (String id : ids) {
            secrets.put(id, secret(id));
        }
        return new KeyTags(new KeySecretsProperties(secrets, minting, 10_000));
    }

    static KeySecret secret(String id) {
        return new KeySecret(secretText(id));
    }

    @Test
    void mintedKeyHasThePowerPostFormAndFortyCharactersAfterThePrefix() {
        for (int i = 0; i < 1000; i++) {
            String key = tags("a", "a").mint(RANDOM).key();
            assertThat(key).matches("pp_live_sk_[A-Za-z0-9]{40}");
            assertThat(ApiKeys.isWellFormed(key)).isTrue();
        }
    }

    @Test
    void aTestKeyHasTheTestPrefixAndItsTagSignsThePrefix() {
        KeyTags tags = tags("a", "a");
        for (int i = 0; i < 200; i++) {
            String key = tags.mint(RANDOM, KeyMode.TEST).key();
            assertThat(key).matches("pp_test_sk_[A-Za-z0-9]{40}");
            assertThat(ApiKeys.isWellFormed(key)).isTrue();
            assertThat(KeyMode.ofKey(key)).isEqualTo(KeyMode.TEST);
            assertThat(tags.verify(key)).isEqualTo("a");
            // the same characters under the other prefix carry no valid tag: a test key cannot be
            // turned into a live one (or the reverse) by changing its prefix
            assertThat(tags.verify("pp_live_sk_" + key.substring(11))).isNull();
            String live = tags.mint(RANDOM).key();
            assertThat(tags.verify("pp_test_sk_" + live.substring(11))).isNull();
        }
    }

    @Test
    void mintedKeyVerifiesUnderItsSecretAndNamesIt() {
        KeyTags tags = tags("a", "a");
        KeyTags.Minted minted = tags.mint(RANDOM);
        assertThat(minted.secretId()).isEqualTo("a");
        assertThat(tags.verify(minted.key())).isEqualTo("a");
    }

    @Test
    void tagIsTheTruncatedHmacOfTheRestOfTheKey() throws Exception {
        // the documented construction, computed independently of KeyTags
        KeyTags tags = tags("a", "a");
        String key = tags.mint(RANDOM).key();
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(Base64.getDecoder().decode(secretText("a")), "HmacSHA256"));
        byte[] digest = mac.doFinal(key.substring(0, 11 + 34).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long first8 = java.nio.ByteBuffer.wrap(digest, 0, 8).getLong();
        long tag = Long.remainderUnsigned(first8, 56_800_235_584L); // 62^6
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            expected.insert(0, alphabet.charAt((int) (tag % 62)));
            tag /= 62;
        }
        assertThat(key.substring(45)).isEqualTo(expected.toString());
    }

    /** The test secret of {@code id}: 32 bytes derived from the id, base64. */
    static String secretText(String id) {
        byte[] bytes = new byte[32];
        byte[] name = id.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (name[i % name.length] + i);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void everyChangedCharacterBreaksTheTag() {
        KeyTags tags = tags("a", "a");
        String key = tags.mint(RANDOM).key();
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (int position = ApiKeys.PREFIX.length(); position < key.length(); position++) {
            char original = key.charAt(position);
            char other = alphabet.charAt((alphabet.indexOf(original) + 1 + RANDOM.nextInt(61)) % 62);
            String forged = key.substring(0, position) + other + key.substring(position + 1);
            assertThat(tags.verify(forged)).as("changed at %d", position).isNull();
        }
    }

    @Test
    void randomWellFormedKeysDoNotVerify() {
        KeyTags tags = tags("a", "a", "b");
        for (int i = 0; i < 100_000; i++) {
            String forged = ApiKeys.PREFIX + ApiKeys.randomBase62(RANDOM, 40);
            assertThat(tags.verify(forged)).isNull();
        }
    }

    @Test
    void keysOfAnotherLengthAreNeverTagged() {
        KeyTags tags = tags("a", "a");
        String key = tags.mint(RANDOM).key();
        assertThat(tags.verify(key + "0")).isNull();
        assertThat(tags.verify(key.substring(0, key.length() - 1))).isNull();
        assertThat(tags.verify(ApiKeys.PREFIX + "demoFullAccess0000000000000001"))
                .isNull();
    }

    @Test
    void aKeyOfAnotherSecretDoesNotVerify() {
        String key = tags("b", "b").mint(RANDOM).key();
        assertThat(tags("a", "a").verify(key)).isNull();
    }

    @Test
    void rotationKeepsTheKeysOfEverySecretStillConfigured() {
        String underA = tags("a", "a").mint(RANDOM).key();
        KeyTags rotated = tags("b", "a", "b");
        String underB = rotated.mint(RANDOM).key();

        assertThat(rotated.verify(underA)).isEqualTo("a");
        assertThat(rotated.verify(underB)).isEqualTo("b");
        KeyTags retired = tags("b", "b");
        assertThat(retired.verify(underA)).isNull();
        assertThat(retired.verify(underB)).isEqualTo("b");
    }

    @Test
    void withoutSecretsNothingVerifiesAndNothingIsMinted() {
        KeyTags none = tags(null);
        assertThat(none.canMint()).isFalse();
        assertThat(none.verify(tags("a", "a").mint(RANDOM).key())).isNull();
        assertThatThrownBy(() -> none.mint(RANDOM))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.keys.minting-secret");
    }

    @Test
    void verifiesFromManyThreadsAtOnce() throws Exception {
        // Mac is not thread-safe: each thread has its own
        KeyTags tags = tags("a", "a", "b");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add(tags.mint(RANDOM).key());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 200; round++) {
                        for (String key : keys) {
                            if (!"a".equals(tags.verify(key))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void neitherTheTagsNorTheMintedKeyShowASecret() {
        KeyTags tags = tags("a", "a");
        KeyTags.Minted minted = tags.mint(RANDOM);
        assertThat(tags.toString()).isEqualTo("KeyTags[secrets=[a], minting=a]");
        assertThat(minted.toString()).doesNotContain(minted.key()).contains("secretId=a");
        assertThat(secret("a").toString()).isEqualTo("KeySecret[redacted]");
    }
}
