package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The form of a key, its hash, and the keys we generate. */
class ApiKeysTest {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KeyTags TAGS = KeyTagsTest.tags("a", "a");

    /** A key as the key management API makes it. */
    private static String generate() {
        return TAGS.mint(RANDOM).key();
    }

    // ---------------------------------------------------------------- hash

    @Test
    void hashIsSha256OfTheKnownVector() {
        assertThat(ApiKeys.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void hashOfTheEmptyStringIsTheSha256OfNothing() {
        assertThat(ApiKeys.hash("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void hashIsSixtyFourLowerCaseHexCharacters() {
        assertThat(ApiKeys.hash(generate())).matches("[0-9a-f]{64}");
    }

    @Test
    void hashIsDeterministic() {
        String key = generate();

        assertThat(ApiKeys.hash(key)).isEqualTo(ApiKeys.hash(key));
    }

    @Test
    void hashTellsKeysApartThatDifferInOneCharacter() {
        assertThat(ApiKeys.hash(ApiKeys.PREFIX + "aaaaaaaaaaaaaaaa"))
                .isNotEqualTo(ApiKeys.hash(ApiKeys.PREFIX + "aaaaaaaaaaaaaaaA"));
    }

    @Test
    void hashNeverContainsTheKey() {
        String key = generate();

        assertThat(ApiKeys.hash(key)).doesNotContain(key.substring(ApiKeys.PREFIX.length()));
    }

    // ---------------------------------------------------------------- generate

    @Test
    void generatedKeyIsWellFormed() {
        assertThat(ApiKeys.isWellFormed(generate())).isTrue();
    }

    @Test
    void generatedKeyHasThePrefixAndFortyRandomCharacters() {
        String key = generate();

        assertThat(key).hasSize(51).startsWith("pp_live_sk_");
        assertThat(key.substring(11)).matches("[A-Za-z0-9]{40}");
    }

    @Test
    void thousandGeneratedKeysAreAllDistinctAndWellFormed() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(generate());
        }

        assertThat(keys).hasSize(1000).allSatisfy(key -> {
            assertThat(key).hasSize(51);
            assertThat(ApiKeys.isWellFormed(key)).isTrue();
        });
    }

    // ---------------------------------------------------------------- randomBase62

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 40, 128, 1000})
    void randomBase62HasTheRequestedLength(int length) {
        assertThat(ApiKeys.randomBase62(RANDOM, length)).hasSize(length);
    }

    @Test
    void randomBase62UsesOnlyBase62Characters() {
        assertThat(ApiKeys.randomBase62(RANDOM, 10_000)).matches("[0-9A-Za-z]{10000}");
    }

    @Test
    void randomBase62UsesEveryBase62Character() {
        // 20 000 uniform draws from 62 characters miss one with probability below 1e-130.
        Set<Character> seen = ApiKeys.randomBase62(RANDOM, 20_000)
                .chars()
                .mapToObj(c -> (char) c)
                .collect(Collectors.toSet());

        assertThat(seen).hasSize(62);
        assertThat(seen)
                .containsExactlyInAnyOrderElementsOf(
                        BASE62.chars().mapToObj(c -> (char) c).collect(Collectors.toSet()));
    }

    @Test
    void randomBase62IsRoughlyUniform() {
        int draws = 620_000;
        int[] counts = new int[128];
        ApiKeys.randomBase62(RANDOM, draws).chars().forEach(c -> counts[c]++);

        // Expected 10 000 per character, standard deviation ~100: 10 % off is ~10 sigma.
        for (char c : BASE62.toCharArray()) {
            assertThat(counts[c]).as("count of '%s'", c).isBetween(9_000, 11_000);
        }
    }

    // ---------------------------------------------------------------- isWellFormed

    @Test
    void keyWithSixteenRandomCharactersIsWellFormed() {
        assertThat(ApiKeys.isWellFormed(ApiKeys.PREFIX + "a".repeat(16))).isTrue();
    }

    @Test
    void keyWithFifteenRandomCharactersIsNotWellFormed() {
        assertThat(ApiKeys.isWellFormed(ApiKeys.PREFIX + "a".repeat(15))).isFalse();
    }

    @Test
    void keyWith128RandomCharactersIsWellFormed() {
        assertThat(ApiKeys.isWellFormed(ApiKeys.PREFIX + "Z9".repeat(64))).isTrue();
    }

    @Test
    void keyWith129RandomCharactersIsNotWellFormed() {
        assertThat(ApiKeys.isWellFormed(ApiKeys.PREFIX + "Z9".repeat(64) + "x")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "pp_live_sk_",
                "pp_test_sk_aaaaaaaaaaaaaaa",
                "pp_demo_sk_aaaaaaaaaaaaaaaa",
                "PP_TEST_SK_aaaaaaaaaaaaaaaa",
                "PP_LIVE_SK_aaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "pp_live_sk_aaaaaaaa_aaaaaaaa",
                "pp_live_sk_aaaaaaaa-aaaaaaaa",
                "pp_live_sk_aaaaaaaaaaaaaaa\u00e9",
                "pp_live_sk_aaaaaaaaaaaaaaa\u0660"
            })
    void malformedKeyIsNotWellFormed(String key) {
        assertThat(ApiKeys.isWellFormed(key)).isFalse();
    }
}
