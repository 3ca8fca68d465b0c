package ai.powerpost.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.errors.ApiError;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * {@link CanonicalPath} and {@link RouteTable#match} on any input: never a throw, and a canonical
 * path is exactly the root {@code /}, or a '/'-joined list of non-empty, non-dot segments of
 * unreserved characters.
 */
class CanonicalPathTest {

    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    /** Unreserved characters plus characters that make a path non-canonical. */
    private static final String PATH_LIKE = UNRESERVED + "////..%;\\ \t\u0000?#:@!$&'()*+,=é\uFF0F";

    private static final RouteTable REAL = RouteTableParser.load(Path.of("../routes.yml"), name -> null);

    // ---------------------------------------------------------------- isCanonical

    @Property(tries = 2000)
    void isCanonicalNeverThrowsOnAnyString(@ForAll String path) {
        CanonicalPath.isCanonical(path);
    }

    // the distribution is asserted below (coverage); printing it on every run is noise
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    @Property(tries = 5000)
    void canonicalPathHasOnlyNonEmptyNonDotSegmentsOfUnreservedCharacters(@ForAll("pathLike") String path) {
        boolean canonical = CanonicalPath.isCanonical(path);
        Statistics.label("canonical").collect(canonical);
        Statistics.label("canonical").coverage(coverage -> {
            coverage.check(true).count(count -> count > 0);
            coverage.check(false).count(count -> count > 0);
        });

        if (canonical && !path.equals("/")) {
            assertThat(path).startsWith("/");
            assertThat(path).matches("[A-Za-z0-9._~/-]+");
            List<String> segments = List.of(path.substring(1).split("/", -1));
            assertThat(segments).isNotEmpty().allSatisfy(segment -> {
                assertThat(segment).isNotEmpty();
                assertThat(segment).isNotEqualTo(".");
                assertThat(segment).isNotEqualTo("..");
            });
        }
    }

    @Property(tries = 2000)
    void canonicalPathHasOnlyAllowedCharactersForAnyString(@ForAll String path) {
        if (CanonicalPath.isCanonical(path) && !path.equals("/")) {
            assertThat(path).matches("(/[A-Za-z0-9._~-]+)+");
            assertThat(path).doesNotContain("//").doesNotEndWith("/");
        }
    }

    @Property(tries = 2000)
    void slashJoinedWellFormedSegmentsAreCanonical(@ForAll("segments") List<String> segments) {
        String path = "/" + String.join("/", segments);

        assertThat(CanonicalPath.isCanonical(path)).as(path).isTrue();
    }

    @Property(tries = 2000)
    void appendingASlashMakesAnyPathButTheEmptyOneNonCanonical(@ForAll("pathLike") String path) {
        // "" + "/" is the root, the one canonical path that ends with a slash
        assertThat(CanonicalPath.isCanonical(path + "/")).as(path).isEqualTo(path.isEmpty());
    }

    @Example
    void documentedPathIsCanonical() {
        assertThat(CanonicalPath.isCanonical("/api/v1/posts/p1/publish")).isTrue();
    }

    @Example
    void threeDotsIsAnOrdinarySegment() {
        assertThat(CanonicalPath.isCanonical("/a/...")).isTrue();
    }

    @Example
    void rootAloneIsCanonical() {
        assertThat(CanonicalPath.isCanonical("/")).isTrue();
    }

    @Example
    void rootFollowedByAnythingButASegmentIsNot() {
        for (String path : List.of("//", "/.", "/..", "/%2e", "/;", "/?", "/ ", "\\", "")) {
            assertThat(CanonicalPath.isCanonical(path)).as(path).isFalse();
        }
    }

    @Property(tries = 200)
    void rootIsNotFoundForAnyMethod(@ForAll("methods") String method) {
        assertThat(REAL.match(method, "/")).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
    }

    // ---------------------------------------------------------------- RouteTable.match

    @Property(tries = 2000)
    void matchNeverThrowsOnAnyPathAndAnswersFoundOrRejected(@ForAll("methods") String method, @ForAll String path) {
        RouteMatch match = REAL.match(method, path);

        assertThat(match).isNotNull().isInstanceOfAny(RouteMatch.Found.class, RouteMatch.Rejected.class);
    }

    // the distribution is asserted below (coverage); printing it on every run is noise
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    @Property(tries = 5000)
    void matchRejectsExactlyTheNonCanonicalPathsAsMalformed(
            @ForAll("methods") String method, @ForAll("apiPathLike") String path) {
        RouteMatch match = REAL.match(method, path);
        Statistics.label("outcome")
                .collect(
                        match instanceof RouteMatch.Found
                                ? "found"
                                : ((RouteMatch.Rejected) match).error().code());
        Statistics.label("outcome").coverage(coverage -> {
            coverage.check("found").count(count -> count > 0);
            coverage.check(ApiError.MALFORMED_PATH.code()).count(count -> count > 0);
        });

        if (CanonicalPath.isCanonical(path)) {
            assertThat(match).isNotEqualTo(new RouteMatch.Rejected(ApiError.MALFORMED_PATH));
        } else {
            assertThat(match).isEqualTo(new RouteMatch.Rejected(ApiError.MALFORMED_PATH));
        }
    }

    @Property(tries = 3000)
    void everyRouteMatchesItsTemplateWithAnyVariableValue(
            @ForAll("routeIndex") int index, @ForAll("segment") String value) {
        RouteSpec route = REAL.routes().get(index);
        String path = "/"
                + String.join(
                        "/",
                        route.path().segments().stream()
                                .map(segment -> PathTemplate.VARIABLE.equals(segment) ? value : segment)
                                .toList());

        for (String method : route.methods()) {
            assertThat(REAL.match(method, path)).as(method + " " + path).isEqualTo(new RouteMatch.Found(route));
        }
    }

    // ---------------------------------------------------------------- generators

    /**
     * Mostly '/'-joined segments, most of them well-formed, some empty, dotted or holding a
     * character that is not unreserved; plus raw strings of path-ish characters.
     */
    @Provide
    Arbitrary<String> pathLike() {
        Arbitrary<String> noisy =
                Arbitraries.strings().withChars(PATH_LIKE.toCharArray()).ofMaxLength(24);
        Arbitrary<String> anySegment = Arbitraries.frequencyOf(
                Tuple.of(8, segment()),
                Tuple.of(1, Arbitraries.of("", ".", "..", "...", ".a", "a.", "%2e", "%2F")),
                Tuple.of(
                        1,
                        Arbitraries.strings().withChars(PATH_LIKE.toCharArray()).ofMaxLength(4)));
        Arbitrary<String> joined = anySegment.list().ofMinSize(1).ofMaxSize(6).map(list -> String.join("/", list));
        return Arbitraries.frequencyOf(
                Tuple.of(6, joined.map(path -> "/" + path)), Tuple.of(1, joined), Tuple.of(2, noisy));
    }

    /** Strings that often start with a declared prefix, so the trie is walked, not cut at the first segment. */
    @Provide
    Arbitrary<String> apiPathLike() {
        Arbitrary<String> prefix = Arbitraries.of(
                "",
                "/api/v1",
                "/api/v1/posts",
                "/api/v1/calendar/entries",
                "/api/v1/content/generations",
                "/api/v1/post-items");
        return prefix.flatMap(p -> pathLike().map(rest -> p + rest));
    }

    @Provide
    Arbitrary<String> segment() {
        return Arbitraries.strings()
                .withChars(UNRESERVED.toCharArray())
                .ofMinLength(1)
                .ofMaxLength(12)
                .filter(s -> !s.equals(".") && !s.equals(".."));
    }

    @Provide
    Arbitrary<List<String>> segments() {
        return segment().list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.oneOf(
                Arbitraries.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", ""),
                Arbitraries.strings());
    }

    @Provide
    Arbitrary<Integer> routeIndex() {
        return Arbitraries.integers().between(0, REAL.routes().size() - 1);
    }
}
