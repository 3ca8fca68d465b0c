package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.auth.ApiKeyExtractor.Found;
import ai.powerpost.gateway.auth.ApiKeyExtractor.Invalid;
import ai.powerpost.gateway.auth.ApiKeyExtractor.Missing;
import ai.powerpost.gateway.auth.ApiKeyExtractor.Result;
import java.security.SecureRandom;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;

/** Where a request's API key comes from, and every way a request can get it wrong. */
class ApiKeyExtractorTest {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String KEY = ApiKeys.PREFIX + "Ab3dEf6hIj9kLm2nOp5q";
    private static final String OTHER_KEY = ApiKeys.PREFIX + "Zy1xWv4uTs7rQp0oNm3l";

    // ---------------------------------------------------------------- found

    @Test
    void findsKeyInXApiKeyHeader() {
        assertThat(extract(headers("x-api-key", KEY))).isEqualTo(new Found(KEY));
    }

    @Test
    void findsKeyInXApiKeyHeaderWrittenInAnyCase() {
        assertThat(extract(headers("X-API-Key", KEY))).isEqualTo(new Found(KEY));
    }

    @Test
    void findsKeyInBearerAuthorization() {
        assertThat(extract(headers("Authorization", "Bearer " + KEY))).isEqualTo(new Found(KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer", "BEARER", "bEaReR"})
    void bearerSchemeIsCaseInsensitive(String scheme) {
        assertThat(extract(headers("Authorization", scheme + " " + KEY))).isEqualTo(new Found(KEY));
    }

    @Test
    void surroundingWhitespaceIsNotPartOfTheKey() {
        assertThat(extract(headers("x-api-key", "  " + KEY + " "))).isEqualTo(new Found(KEY));
        assertThat(extract(headers("Authorization", " Bearer   " + KEY + " "))).isEqualTo(new Found(KEY));
    }

    @Test
    void bothHeadersWithTheSameKeyAreFound() {
        HttpHeaders headers = headers("x-api-key", KEY);
        headers.add("Authorization", "Bearer " + KEY);

        assertThat(extract(headers)).isEqualTo(new Found(KEY));
    }

    @Test
    void acceptsShortestRandomPart() {
        String key = ApiKeys.PREFIX + base62(16);

        assertThat(extract(headers("x-api-key", key))).isEqualTo(new Found(key));
    }

    @Test
    void acceptsLongestRandomPart() {
        String key = ApiKeys.PREFIX + base62(128);

        assertThat(extract(headers("x-api-key", key))).isEqualTo(new Found(key));
    }

    @Test
    void acceptsGeneratedKey() {
        String key = KeyTagsTest.tags("a", "a").mint(new SecureRandom()).key();

        assertThat(extract(headers("Authorization", "Bearer " + key))).isEqualTo(new Found(key));
    }

    // ---------------------------------------------------------------- missing

    @Test
    void noCredentialHeaderIsMissing() {
        assertThat(extract(new HttpHeaders())).isInstanceOf(Missing.class);
    }

    @Test
    void otherHeadersAloneAreMissing() {
        assertThat(extract(headers("X-Workspace-Id", "ws_1"))).isInstanceOf(Missing.class);
    }

    @Test
    void emptyXApiKeyIsMissing() {
        assertThat(extract(headers("x-api-key", ""))).isInstanceOf(Missing.class);
    }

    @Test
    void blankXApiKeyIsMissing() {
        assertThat(extract(headers("x-api-key", "   "))).isInstanceOf(Missing.class);
    }

    @Test
    void emptyAuthorizationIsMissing() {
        assertThat(extract(headers("Authorization", ""))).isInstanceOf(Missing.class);
    }

    // ---------------------------------------------------------------- invalid

    @Test
    void bothHeadersWithDifferentKeysAreInvalid() {
        HttpHeaders headers = headers("x-api-key", KEY);
        headers.add("Authorization", "Bearer " + OTHER_KEY);

        assertThat(extract(headers)).isInstanceOf(Invalid.class);
    }

    @Test
    void repeatedXApiKeyIsInvalid() {
        HttpHeaders headers = headers("x-api-key", KEY);
        headers.add("x-api-key", OTHER_KEY);

        assertThat(extract(headers)).isInstanceOf(Invalid.class);
    }

    @Test
    void repeatedXApiKeyWithTheSameValueIsInvalid() {
        HttpHeaders headers = headers("x-api-key", KEY);
        headers.add("X-Api-Key", KEY);

        assertThat(extract(headers)).isInstanceOf(Invalid.class);
    }

    @Test
    void repeatedAuthorizationIsInvalid() {
        HttpHeaders headers = headers("Authorization", "Bearer " + KEY);
        headers.add("Authorization", "Bearer " + OTHER_KEY);

        assertThat(extract(headers)).isInstanceOf(Invalid.class);
    }

    @Test
    void basicSchemeIsInvalid() {
        assertThat(extract(headers("Authorization", "Basic dXNlcjpwYXNz"))).isInstanceOf(Invalid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer    "})
    void bearerWithoutTokenIsInvalid(String authorization) {
        assertThat(extract(headers("Authorization", authorization))).isInstanceOf(Invalid.class);
    }

    @Test
    void keyWithoutSchemeInAuthorizationIsInvalid() {
        assertThat(extract(headers("Authorization", KEY))).isInstanceOf(Invalid.class);
    }

    @Test
    void bearerSchemeWithoutSeparatingSpaceIsInvalid() {
        assertThat(extract(headers("Authorization", "Bearer" + KEY))).isInstanceOf(Invalid.class);
    }

    @Test
    void basicSchemeNextToAValidXApiKeyIsInvalid() {
        HttpHeaders headers = headers("x-api-key", KEY);
        headers.add("Authorization", "Basic dXNlcjpwYXNz");

        assertThat(extract(headers)).isInstanceOf(Invalid.class);
    }

    @Test
    void randomPartOfFifteenCharactersIsInvalid() {
        assertThat(extract(headers("x-api-key", ApiKeys.PREFIX + base62(15)))).isInstanceOf(Invalid.class);
    }

    @Test
    void randomPartOf129CharactersIsInvalid() {
        assertThat(extract(headers("x-api-key", ApiKeys.PREFIX + base62(129)))).isInstanceOf(Invalid.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "pp_demo_sk_",
                "pp_test_pk_",
                "PP_TEST_SK_",
                "pp_live_pk_",
                "PP_LIVE_SK_",
                "pp_live_sk",
                "sk_live_",
                ""
            })
    void wrongPrefixIsInvalid(String prefix) {
        assertThat(extract(headers("x-api-key", prefix + base62(40)))).isInstanceOf(Invalid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pp_live_sk_", "pp_test_sk_"})
    void liveAndTestKeysAreFound(String prefix) {
        String key = prefix + base62(40);
        assertThat(extract(headers("x-api-key", key))).isEqualTo(new ApiKeyExtractor.Found(key));
        assertThat(extract(headers("Authorization", "Bearer " + key))).isEqualTo(new ApiKeyExtractor.Found(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"_", "-", ".", "~", "+", "/", "=", "é", "\u0000", " "})
    void nonAlphanumericCharacterInTheRandomPartIsInvalid(String character) {
        String key = ApiKeys.PREFIX + base62(20) + character + base62(20);

        assertThat(extract(headers("x-api-key", key))).isInstanceOf(Invalid.class);
        assertThat(extract(headers("Authorization", "Bearer " + key))).isInstanceOf(Invalid.class);
    }

    @Test
    void twoKeysInOneHeaderValueAreInvalid() {
        assertThat(extract(headers("x-api-key", KEY + "," + OTHER_KEY))).isInstanceOf(Invalid.class);
    }

    // ---------------------------------------------------------------- properties

    // the distribution is asserted below (coverage); printing it on every run is noise
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    @Property(tries = 3000)
    void extractNeverThrowsAndFoundKeyIsAlwaysWellFormed(
            @ForAll("headerValues") List<String> apiKeys, @ForAll("authorizationValues") List<String> authorizations) {
        HttpHeaders headers = new HttpHeaders();
        apiKeys.forEach(value -> headers.add("x-api-key", value));
        authorizations.forEach(value -> headers.add("Authorization", value));

        Result result = ApiKeyExtractor.extract(headers);
        Statistics.label("result").collect(result.getClass().getSimpleName());
        Statistics.label("result").coverage(coverage -> {
            coverage.check("Found").count(count -> count > 0);
            coverage.check("Missing").count(count -> count > 0);
            coverage.check("Invalid").count(count -> count > 0);
        });

        assertThat(result).isNotNull();
        if (result instanceof Found found) {
            assertThat(ApiKeys.isWellFormed(found.key())).as(found.key()).isTrue();
            assertThat(apiKeys.size()).isLessThanOrEqualTo(1);
            assertThat(authorizations.size()).isLessThanOrEqualTo(1);
        }
    }

    @Property(tries = 2000)
    void extractNeverThrowsOnArbitraryHeaderValues(@ForAll String apiKey, @ForAll String authorization) {
        HttpHeaders headers = new HttpHeaders();
        headers.add("x-api-key", apiKey);
        headers.add("Authorization", authorization);

        Result result = ApiKeyExtractor.extract(headers);

        if (result instanceof Found found) {
            assertThat(ApiKeys.isWellFormed(found.key())).isTrue();
        }
    }

    @Provide
    Arbitrary<List<String>> headerValues() {
        return headerValue().list().ofMaxSize(2);
    }

    @Provide
    Arbitrary<List<String>> authorizationValues() {
        return Arbitraries.oneOf(
                        headerValue(),
                        headerValue().map(value -> "Bearer " + value),
                        Arbitraries.of("bearer ", "BEARER ", "Basic ")
                                .flatMap(s -> headerValue().map(v -> s + v)))
                .list()
                .ofMaxSize(2);
    }

    private static Arbitrary<String> headerValue() {
        Arbitrary<String> wellFormed = Arbitraries.strings()
                .withChars(BASE62.toCharArray())
                .ofMinLength(16)
                .ofMaxLength(128)
                .map(random -> ApiKeys.PREFIX + random);
        Arbitrary<String> nearlyWellFormed = Arbitraries.strings()
                .withChars((BASE62 + "_- é").toCharArray())
                .ofMinLength(10)
                .ofMaxLength(135)
                .map(random -> ApiKeys.PREFIX + random);
        return Arbitraries.frequencyOf(
                Tuple.of(4, wellFormed),
                Tuple.of(2, nearlyWellFormed),
                Tuple.of(2, Arbitraries.strings()),
                Tuple.of(1, Arbitraries.of("", " ", "\t", KEY, " " + KEY + " ")));
    }

    // ---------------------------------------------------------------- helpers

    /** {@code length} base-62 characters, varied but deterministic. */
    private static String base62(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(BASE62.charAt((i * 37 + 11) % BASE62.length()));
        }
        return out.toString();
    }

    private static HttpHeaders headers(String name, String value) {
        HttpHeaders headers = new HttpHeaders();
        headers.add(name, value);
        return headers;
    }

    private static Result extract(HttpHeaders headers) {
        return ApiKeyExtractor.extract(headers);
    }
}
