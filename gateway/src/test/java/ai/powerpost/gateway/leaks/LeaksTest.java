package ai.powerpost.gateway.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The leak intake's pure parts: signatures, GitHub's key list and batch formats, the URL kept, the throttle. */
class LeaksTest {

    private static final byte[] BODY =
            "[{\"token\":\"x\",\"type\":\"powerpost_live_key\",\"url\":\"https://github.com/o/r\",\"source\":\"content\"}]"
                    .getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesWithItsKeyOverTheExactBodyOnly() {
        GithubKeys github = GithubKeys.generate();
        GithubKeys other = GithubKeys.generate();
        PublicKey key = GithubPublicKeys.p256(github.pem());
        byte[] signature = Base64.getDecoder().decode(github.sign(BODY));
        assertThat(GithubPublicKeys.verifies(key, BODY, signature)).isTrue();
        byte[] tampered = BODY.clone();
        tampered[3] ^= 1;
        assertThat(GithubPublicKeys.verifies(key, tampered, signature)).isFalse();
        assertThat(GithubPublicKeys.verifies(key, BODY, Base64.getDecoder().decode(other.sign(BODY))))
                .isFalse();
        assertThat(GithubPublicKeys.verifies(key, BODY, new byte[] {1, 2, 3})).isFalse();
        assertThat(GithubPublicKeys.verifies(key, BODY, new byte[0])).isFalse();
    }

    @Test
    void theKeyListGivesEveryUsableKeyByIdentifier() {
        GithubKeys a = GithubKeys.generate();
        GithubKeys b = GithubKeys.generate();
        Map<String, PublicKey> set =
                GithubPublicKeys.parse(GithubKeys.list(a, b).getBytes(StandardCharsets.UTF_8));
        assertThat(set).containsOnlyKeys(a.identifier(), b.identifier());
        assertThat(set.get(a.identifier()).getEncoded())
                .isEqualTo(a.pair().getPublic().getEncoded());
    }

    @Test
    void aListWithNoUsableKeyIsRefusedSoTheLastGoodSetStays() {
        for (String list : List.of(
                "not json",
                "[]",
                "{}",
                "{\"public_keys\":[]}",
                "{\"public_keys\":[{\"key_identifier\":\"abc\",\"key\":\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"}]}",
                "{\"public_keys\":[{\"key_identifier\":\"a/b\",\"key\":\""
                        + GithubKeys.generate().pem().replace("\n", "\\n") + "\"}]}")) {
            assertThatThrownBy(() -> GithubPublicKeys.parse(list.getBytes(StandardCharsets.UTF_8)))
                    .as(list)
                    .isInstanceOf(GithubPublicKeys.KeyListUnavailable.class);
        }
    }

    @Test
    void identifiersAreBoundedAlphanumerics() {
        assertThat(GithubPublicKeys.isIdentifier("90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a"))
                .isTrue();
        assertThat(GithubPublicKeys.isIdentifier("")).isFalse();
        assertThat(GithubPublicKeys.isIdentifier("../x")).isFalse();
        assertThat(GithubPublicKeys.isIdentifier("a".repeat(129))).isFalse();
    }

    @Test
    void aBatchIsAnArrayOfObjectsWithAStringToken() {
        List<GithubEndpoint.Reported> batch = GithubEndpoint.parse(BODY);
        assertThat(batch)
                .containsExactly(
                        new GithubEndpoint.Reported("x", "powerpost_live_key", "https://github.com/o/r", "content"));
        assertThat(GithubEndpoint.parse("[{\"token\":\"t\"}]".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(new GithubEndpoint.Reported("t", "", null, null));
        assertThat(GithubEndpoint.parse("[]".getBytes(StandardCharsets.UTF_8))).isEmpty();
        for (String bad :
                List.of("", "{}", "[1]", "[{\"token\":1}]", "[{\"type\":\"t\"}]", "[{\"token\":\"t\"}", "null")) {
            assertThat(GithubEndpoint.parse(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad)
                    .isNull();
        }
    }

    @Test
    void theTokenHashIsTheSha256HexOfTheToken() {
        assertThat(GithubEndpoint.tokenHash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void theReportedUrlIsKeptPrintableBoundedAndWithoutSecrets() {
        assertThat(ReportedUrl.sanitise(null)).isNull();
        assertThat(ReportedUrl.sanitise("  ")).isNull();
        String url = "https://github.com/octo/repo/blob/12345600b9cbe38a219f39a9941c9319b600c002/foo/bar.txt";
        assertThat(ReportedUrl.sanitise(url)).isEqualTo(url);
        assertThat(ReportedUrl.sanitise("https://x/\u0000\n\u00e9<b>")).isEqualTo("https://x/???<b>");
        assertThat(ReportedUrl.sanitise("https://x/?k=pp_live_sk_" + "A".repeat(40) + "&h=" + "ab".repeat(32)))
                .isEqualTo("https://x/?k=[redacted]&h=[redacted]")
                .doesNotContain("AAAA");
        String longUrl = "https://x/" + "z".repeat(5000) + "pp_test_sk_" + "B".repeat(40);
        assertThat(ReportedUrl.sanitise(longUrl))
                .hasSize(ReportedUrl.MAX_LENGTH)
                .endsWith("...");
        String cut = "https://x/" + "z".repeat(ReportedUrl.MAX_LENGTH - 20) + "pp_live_sk_" + "C".repeat(40);
        assertThat(ReportedUrl.sanitise(cut)).doesNotContain("CCC").doesNotContain("pp_live_sk_C");
    }

    @Test
    void anAddressMayReportItsAllowancePerWindowThenIsToldWhenToComeBack() {
        AtomicLong now = new AtomicLong(1_000);
        Ticker ticker = now::get;
        ReportThrottle throttle = new ReportThrottle(3, Duration.ofMinutes(10), ticker);
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.acquire("10.0.0.1")).isZero();
        }
        assertThat(throttle.acquire("10.0.0.1")).isEqualTo(600);
        assertThat(throttle.acquire("10.0.0.2")).isZero();
        now.addAndGet(Duration.ofMinutes(4).toNanos());
        assertThat(throttle.acquire("10.0.0.1")).isEqualTo(360);
        now.addAndGet(Duration.ofMinutes(6).toNanos());
        assertThat(throttle.acquire("10.0.0.1")).isZero();
    }
}
