package ai.powerpost.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the pure functions behind the forwarding rules: the {@code _method} query filter of
 * {@link UpstreamRequestHeaders}, and the CIDR and IP-literal parsing of {@link TrustedProxies}.
 * Cases marked "Regression" failed against an earlier version and guard the fix.
 */
class ForwardingPropertiesTest {

    // ================================================================ withoutMethodOverride

    private static final String VALUE_CHARS = "abcXYZ019%=+._-~/:;";

    @Property(tries = 3000)
    void withoutMethodOverrideNeverThrowsOnAnyString(@ForAll String rawQuery) {
        UpstreamRequestHeaders.withoutMethodOverride(rawQuery);
    }

    @Property(tries = 3000)
    void withoutMethodOverrideNeverThrowsOnQueryLikeStrings(@ForAll("queryLike") String rawQuery) {
        UpstreamRequestHeaders.withoutMethodOverride(rawQuery);
    }

    @Property(tries = 3000)
    void resultNeverHoldsAMethodOverrideWhenTheNameIsSpelledInLetters(@ForAll("queries") String rawQuery) {
        String result = UpstreamRequestHeaders.withoutMethodOverride(rawQuery);
        assertThat(pairs(result))
                .as("pairs of %s from %s", result, rawQuery)
                .noneMatch(ForwardingPropertiesTest::isOverride);
    }

    /**
     * Regression (found by this suite, now fixed): the filter first checks that the raw query contains "method" and returns it untouched
     * otherwise, so a name whose letters are percent-encoded ({@code _%6Dethod}, which every
     * form decoder reads as {@code _method}) is never looked at and reaches the upstream.
     */
    @Property(tries = 2000)
    void resultNeverHoldsAMethodOverrideHoweverTheNameIsEncoded(@ForAll("encodedOverrideQueries") String rawQuery) {
        String result = UpstreamRequestHeaders.withoutMethodOverride(rawQuery);
        assertThat(pairs(result))
                .as("pairs of %s from %s", result, rawQuery)
                .noneMatch(ForwardingPropertiesTest::isOverride);
    }

    @Example
    void percentEncodedLetterInTheNameIsStillAnOverride() {
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("_%6Dethod=POST"))
                .isEmpty();
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("a=1&%5F%6D%65%74%68%6F%64=DELETE"))
                .isEqualTo("a=1");
    }

    @Property(tries = 3000)
    void everyOtherPairIsKeptInOrder(@ForAll("queries") String rawQuery) {
        String result = UpstreamRequestHeaders.withoutMethodOverride(rawQuery);
        List<String> expected =
                nonEmpty(pairs(rawQuery)).stream().filter(p -> !isOverride(p)).toList();
        assertThat(nonEmpty(pairs(result))).as("from %s", rawQuery).containsExactlyElementsOf(expected);
    }

    @Property(tries = 2000)
    void filteringTwiceIsFilteringOnce(@ForAll("queries") String rawQuery) {
        String once = UpstreamRequestHeaders.withoutMethodOverride(rawQuery);
        assertThat(UpstreamRequestHeaders.withoutMethodOverride(once)).isEqualTo(once);
    }

    @Example
    void methodOverrideExamples() {
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("a=1&_method=POST&b=2"))
                .isEqualTo("a=1&b=2");
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("%5Fmethod=PUT"))
                .isEmpty();
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("%5fMETHOD=PUT&x=%2F"))
                .isEqualTo("x=%2F");
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("_method")).isEmpty();
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("+_method+=DELETE&k=v"))
                .isEqualTo("k=v");
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("x=%ZZ&_method=1&y=%"))
                .isEqualTo("x=%ZZ&y=%");
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("method=GET&__method=1&_methods=2"))
                .isEqualTo("method=GET&__method=1&_methods=2");
        assertThat(UpstreamRequestHeaders.withoutMethodOverride("page=2&sort=desc"))
                .isEqualTo("page=2&sort=desc");
    }

    @Provide
    Arbitrary<String> queryLike() {
        return Arbitraries.strings()
                .withChars("_method%5Ff&=+ .~MET" + "\u0000\u00e9\uD83D\uDE00")
                .ofMaxLength(40);
    }

    /** Queries whose names are ordinary, look-alike, or {@code _method} spelled with literal letters. */
    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> name = Arbitraries.of(
                "a",
                "b",
                "page",
                "method",
                "methods",
                "x_method",
                "_methodx",
                "__method",
                "_metho",
                "m_ethod",
                "_method",
                "_METHOD",
                "_Method",
                "%5Fmethod",
                "%5fmethod",
                "%5FMETHOD",
                "+_method",
                "_method+",
                "%20_method",
                "_method%09",
                "%2B_method",
                "_method%00",
                "%",
                "%zz",
                "_method%",
                "",
                "=");
        return pairsOf(name);
    }

    /** Queries holding {@code _method} with at least one percent-encoded letter. */
    @Provide
    Arbitrary<String> encodedOverrideQueries() {
        Arbitrary<String> encoded = Arbitraries.integers()
                .between(0, Integer.MAX_VALUE)
                .map(seed -> {
                    java.util.Random random = new java.util.Random(seed);
                    String word = "_method";
                    StringBuilder out = new StringBuilder();
                    int forced = 1 + random.nextInt(word.length() - 1);
                    for (int i = 0; i < word.length(); i++) {
                        char c = word.charAt(i);
                        int how = i == forced ? 1 + random.nextInt(2) : random.nextInt(4);
                        switch (how) {
                            case 1 -> out.append('%').append(String.format("%02X", (int) c));
                            case 2 -> out.append('%').append(String.format("%02x", (int) c));
                            case 3 -> out.append(Character.toUpperCase(c));
                            default -> out.append(c);
                        }
                    }
                    return out.toString();
                });
        Arbitrary<String> other = Arbitraries.of("a", "page", "b");
        return Combinators.combine(
                        pairsOf(other),
                        encoded,
                        Arbitraries.strings().withChars("POSTDELETE").ofMaxLength(6),
                        pairsOf(other))
                .as((before, name, value, after) -> join(before, name + "=" + value, after));
    }

    private static Arbitrary<String> pairsOf(Arbitrary<String> name) {
        Arbitrary<String> value = Arbitraries.strings().withChars(VALUE_CHARS).ofMaxLength(8);
        Arbitrary<String> pair = Combinators.combine(
                        name, value, Arbitraries.integers().between(0, 2))
                .as((n, v, form) -> switch (form) {
                    case 0 -> n;
                    case 1 -> n + "=" + v;
                    default -> n + "=";
                });
        return pair.list().ofMaxSize(6).map(list -> String.join("&", list));
    }

    private static String join(String... parts) {
        return String.join("&", Arrays.stream(parts).filter(p -> !p.isEmpty()).toList());
    }

    private static List<String> pairs(String query) {
        return query.isEmpty() ? List.of() : Arrays.asList(query.split("&", -1));
    }

    private static List<String> nonEmpty(List<String> pairs) {
        return pairs.stream().filter(p -> !p.isEmpty()).toList();
    }

    /** What a form decoder would read as a {@code _method} parameter. */
    private static boolean isOverride(String pair) {
        int eq = pair.indexOf('=');
        String rawName = eq < 0 ? pair : pair.substring(0, eq);
        String name;
        try {
            name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            name = rawName;
        }
        return name.trim().equalsIgnoreCase("_method");
    }

    // ================================================================ TrustedProxies: CIDRs

    @Example
    void typicalProxyNetworksParse() {
        TrustedProxies proxies = new TrustedProxies(List.of(
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                " 203.0.113.7 ",
                "2001:db8::/32",
                "::1",
                "fe80::/10",
                "0.0.0.0/0"));
        assertThat(proxies.isEmpty()).isFalse();
        assertThat(new TrustedProxies(List.of()).isEmpty()).isTrue();
    }

    @Example
    void ipv4CidrExamples() throws UnknownHostException {
        assertContains("10.0.0.0/8", "10.0.0.1", true);
        assertContains("10.0.0.0/8", "10.255.255.255", true);
        assertContains("10.0.0.0/8", "11.0.0.0", false);
        assertContains("10.0.0.0/8", "9.255.255.255", false);
        assertContains("172.16.0.0/12", "172.31.255.255", true);
        assertContains("172.16.0.0/12", "172.32.0.0", false);
        assertContains("172.16.0.0/12", "172.15.255.255", false);
        assertContains("10.0.0.0/9", "10.127.255.255", true);
        assertContains("10.0.0.0/9", "10.128.0.0", false);
        assertContains("192.168.1.0/24", "192.168.1.200", true);
        assertContains("192.168.1.0/24", "192.168.2.1", false);
        assertContains("203.0.113.7", "203.0.113.7", true);
        assertContains("203.0.113.7", "203.0.113.8", false);
        assertContains("203.0.113.7/32", "203.0.113.6", false);
        assertContains("0.0.0.0/0", "255.255.255.255", true);
        assertContains("0.0.0.0/0", "::1", false);
        assertContains("10.0.0.0/8", "::ffff:10.0.0.1", true); // Java reads an IPv4-mapped literal as IPv4
    }

    @Example
    void ipv6CidrExamples() throws UnknownHostException {
        assertContains("2001:db8::/32", "2001:db8:ffff:ffff::1", true);
        assertContains("2001:db8::/32", "2001:db9::1", false);
        assertContains("2001:db8::/32", "10.0.0.1", false);
        assertContains("::1", "::1", true);
        assertContains("::1", "::2", false);
        assertContains("fe80::/10", "fe80::1", true);
        assertContains("fe80::/10", "febf:ffff::1", true);
        assertContains("fe80::/10", "fec0::1", false);
        assertContains("::/0", "2001:db8::1", true);
        assertContains("::/0", "10.0.0.1", false);
        assertContains("2001:db8:0:0:8000::/65", "2001:db8::8000:0:0:1", true);
        assertContains("2001:db8:0:0:8000::/65", "2001:db8::7fff:0:0:1", false);
    }

    @Property(tries = 3000)
    void ipv4CidrContainsExactlyTheAddressesSharingThePrefix(
            @ForAll int network,
            @ForAll int other,
            @ForAll @IntRange(min = 0, max = 32) int prefix,
            @ForAll @IntRange(min = 0, max = 31) int flippedBit,
            @ForAll boolean nearby)
            throws UnknownHostException {
        int candidate = nearby ? network ^ (1 << flippedBit) : other;
        String text = InetAddress.getByAddress(ipv4(network)).getHostAddress() + "/" + prefix;
        boolean expected = prefix == 0 || ((network ^ candidate) >>> (32 - prefix)) == 0;
        TrustedProxies.Cidr cidr = TrustedProxies.Cidr.parse(text);
        assertThat(cidr.contains(InetAddress.getByAddress(ipv4(candidate))))
                .as("%s contains %s", text, candidate)
                .isEqualTo(expected);
    }

    @Property(tries = 3000)
    void ipv6CidrContainsExactlyTheAddressesSharingThePrefix(
            @ForAll @Size(16) List<Byte> networkBytes,
            @ForAll @Size(16) List<Byte> otherBytes,
            @ForAll @IntRange(min = 0, max = 128) int prefix,
            @ForAll @IntRange(min = 0, max = 127) int flippedBit,
            @ForAll boolean nearby)
            throws UnknownHostException {
        byte[] network = bytes(networkBytes);
        byte[] candidate = nearby ? network.clone() : bytes(otherBytes);
        if (nearby) {
            candidate[flippedBit / 8] ^= (byte) (0x80 >>> (flippedBit % 8));
        }
        InetAddress networkAddress = InetAddress.getByAddress(network);
        InetAddress candidateAddress = InetAddress.getByAddress(candidate);
        Assume.that(networkAddress instanceof Inet6Address && candidateAddress instanceof Inet6Address);
        String text = networkAddress.getHostAddress() + "/" + prefix;
        BigInteger n = new BigInteger(1, network);
        BigInteger c = new BigInteger(1, candidate);
        boolean expected = n.xor(c).shiftRight(128 - prefix).signum() == 0;
        assertThat(TrustedProxies.Cidr.parse(text).contains(candidateAddress))
                .as("%s contains %s", text, candidateAddress.getHostAddress())
                .isEqualTo(expected);
    }

    @Example
    void badCidrIsRefusedNamingTheEntry() {
        for (String bad : List.of(
                "10.0.0.0/33",
                "10.0.0.0/-1",
                "::1/129",
                "2001:db8::/200",
                "evil.example",
                "evil.example/8",
                "/8",
                "10.0.0.0.0/8",
                "10.0.0.256/8",
                "1.2.3.4%eth0",
                "[::1]/128")) {
            assertThatThrownBy(() -> new TrustedProxies(List.of("192.168.0.0/16", bad)))
                    .as("trusted proxy %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
    }

    /**
     * Regression (found by this suite, now fixed): a prefix that is not a number reaches {@code Integer.parseInt} unchecked; the
     * NumberFormatException (an IllegalArgumentException) names only the part after '/', not the
     * entry, so the operator is not told which trusted proxy is wrong.
     */
    @Example
    void nonNumericPrefixIsRefusedNamingTheEntry() {
        for (String bad : List.of(
                "10.0.0.0/abc",
                "10.0.0.0/",
                "10.0.0.0/8/8",
                "10.0.0.0/ 8",
                "10.0.0.0/8 # lb",
                "10.0.0.0/8,11.0.0.0/8")) {
            assertThatThrownBy(() -> new TrustedProxies(List.of(bad)))
                    .as("trusted proxy %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
    }

    @Example
    void nonNumericPrefixIsAtLeastAnIllegalArgumentException() {
        for (String bad : List.of("10.0.0.0/abc", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0.0/ 8")) {
            assertThatThrownBy(() -> new TrustedProxies(List.of(bad)))
                    .as("trusted proxy %s", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ================================================================ TrustedProxies: literal

    @Example
    void literalParsesIpLiterals() throws UnknownHostException {
        assertThat(TrustedProxies.literal("10.1.2.3")).isEqualTo(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}));
        assertThat(TrustedProxies.literal("::1")).isEqualTo(InetAddress.getByAddress(ipv6Loopback()));
        assertThat(TrustedProxies.literal("2001:db8::1")).isNotNull();
        assertThat(TrustedProxies.literal("FE80::1")).isNotNull();
    }

    @Example
    void literalIsNullForHostnamesAndJunkWithoutAnyLookUp() {
        List<String> notLiterals = List.of(
                "evil.example",
                "localhost",
                "example.com",
                "attacker.evil.example",
                "",
                " ",
                "1.2.3.4 ",
                " 1.2.3.4",
                "[::1]",
                "1.2.3.4%eth0",
                "-1",
                "1.2.3.4:80x",
                "a".repeat(46),
                "1".repeat(46),
                "1.2.3.4, 5.6.7.8",
                "unknown",
                "_hidden",
                "0x7f.0.0.1");
        List<String> lookups = lookupsDuring(() -> {
            for (String text : notLiterals) {
                assertThat(TrustedProxies.literal(text)).as("literal(%s)", text).isNull();
            }
        });
        assertNoLookups(lookups, "");
    }

    @Property(tries = 1000)
    void literalNeverLooksUpAStringHoldingANonHexCharacter(@ForAll("hostnames") String text) {
        List<String> lookups =
                lookupsDuring(() -> assertThat(TrustedProxies.literal(text)).isNull());
        assertNoLookups(lookups, text);
    }

    @Property(tries = 1000)
    void literalNeverLooksUpAValidIpv4Literal(@ForAll int address) throws UnknownHostException {
        String text = InetAddress.getByAddress(ipv4(address)).getHostAddress();
        List<InetAddress> parsed = new ArrayList<>();
        List<String> lookups = lookupsDuring(() -> parsed.add(TrustedProxies.literal(text)));
        assertNoLookups(lookups, text);
        assertThat(parsed.get(0)).isEqualTo(InetAddress.getByAddress(ipv4(address)));
    }

    /**
     * Regression (found by this suite, now fixed): the character check admits every string of hex digits, '.' and ':', so names made of
     * those ({@code dead.beef}, {@code cafe}) and malformed dotted quads ({@code 1.2.3.4.5},
     * {@code 999.1.1.1}) reach {@code InetAddress.getByName} as host names: a blocking DNS look-up,
     * on the event loop when it comes from an {@code X-Forwarded-For} hop.
     */
    @Example
    void literalNeverLooksUpHexLookingNamesOrMalformedQuads() {
        for (String text : List.of("dead.beef", "cafe", "bad.cafe", "1.2.3.4.5", "999.1.1.1", "1.2.3.4.", "a")) {
            List<String> lookups = lookupsDuring(() -> TrustedProxies.literal(text));
            assertNoLookups(lookups, text);
        }
    }

    @Property(tries = 300)
    void literalNeverLooksUpAnything(@ForAll("hexish") String text) {
        List<String> lookups = lookupsDuring(() -> TrustedProxies.literal(text));
        assertNoLookups(lookups, text);
    }

    @Provide
    Arbitrary<String> hostnames() {
        Arbitrary<String> label = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
                .ofMinLength(1)
                .ofMaxLength(12);
        return label.list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .map(labels -> String.join(".", labels))
                .filter(s -> s.chars().anyMatch(c -> Character.digit(c, 16) < 0 && c != '.' && c != ':'));
    }

    @Provide
    Arbitrary<String> hexish() {
        return Arbitraries.strings()
                .withChars("0123456789abcdef.:")
                .ofMinLength(1)
                .ofMaxLength(20);
    }

    // ================================================================ helpers

    private static void assertNoLookups(@org.jspecify.annotations.Nullable List<String> lookups, String text) {
        if (lookups != null) {
            assertThat(lookups).as("DNS look-ups made by literal(%s)", text).isEmpty();
        }
    }

    private static void assertContains(String cidr, String address, boolean expected) throws UnknownHostException {
        InetAddress candidate = InetAddress.getByName(address); // literals only: no DNS
        assertThat(TrustedProxies.Cidr.parse(cidr).contains(candidate))
                .as("%s contains %s", cidr, address)
                .isEqualTo(expected);
    }

    private static byte[] ipv4(int address) {
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    private static byte[] ipv6Loopback() {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        return loopback;
    }

    private static byte[] bytes(List<Byte> list) {
        byte[] out = new byte[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    /**
     * The host names the JDK was asked to resolve while {@code action} ran: {@code InetAddress}
     * asks the security manager ({@code checkConnect(host, -1)}) before every name-service
     * look-up, and never for an IP literal. Null (nothing could be observed; the action still ran)
     * where the JDK no longer allows a security manager (JDK 18+ without
     * {@code -Djava.security.manager=allow}).
     */
    @SuppressWarnings({"removal", "deprecation"})
    private static @org.jspecify.annotations.Nullable List<String> lookupsDuring(Runnable action) {
        List<String> hosts = new CopyOnWriteArrayList<>();
        SecurityManager previous = System.getSecurityManager();
        SecurityManager recorder = new SecurityManager() {
            @Override
            public void checkPermission(java.security.Permission permission) {}

            @Override
            public void checkPermission(java.security.Permission permission, Object context) {}

            @Override
            public void checkConnect(String host, int port) {
                if (port == -1) {
                    hosts.add(host);
                }
            }
        };
        try {
            System.setSecurityManager(recorder);
        } catch (UnsupportedOperationException e) {
            action.run();
            return null;
        }
        try {
            action.run();
        } finally {
            System.setSecurityManager(previous);
        }
        return hosts;
    }
}
