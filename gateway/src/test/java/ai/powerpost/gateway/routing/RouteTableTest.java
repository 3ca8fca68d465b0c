package ai.powerpost.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.errors.ApiError;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;

/**
 * Matching against the real route table, and the literal-before-variable walk with backtracking
 * on a small table built for it.
 */
class RouteTableTest {

    private static final RouteTable REAL = RouteTableParser.load(Path.of("../routes.yml"), name -> null);

    /** Two overlapping shapes: {@code /a/b/c} matches both, the literal {@code b} wins. */
    private static final RouteTable OVERLAPPING = parse("""
            upstreams:
              up:
                uri: http://up:80
            routes:
              - id: literal-b
                method: GET
                path: /a/b/{x}
                scope: posts:read
                upstream: up
              - id: variable-y
                method: GET
                path: /a/{y}/c
                scope: posts:read
                upstream: up
              - id: variable-y-deeper
                method: GET
                path: /a/{y}/c/d
                scope: posts:read
                upstream: up
              - id: literal-b-prefix
                method: GET
                path: /a/b
                scope: posts:read
                upstream: up
            """);

    // ---------------------------------------------------------------- found

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | /api/v1/account/credits                   | account-credits
            POST   | /api/v1/media/upload                      | media-upload
            POST   | /api/v1/content/generate                  | content-generate
            GET    | /api/v1/content/generations               | content-generations-list
            GET    | /api/v1/content/generations/gen_123       | content-generation-get
            POST   | /api/v1/images/generate                   | images-generate
            GET    | /api/v1/images/generations/img_1          | image-generation-get
            POST   | /api/v1/videos/generate                   | videos-generate
            GET    | /api/v1/videos/generations/vid_1          | video-generation-get
            POST   | /api/v1/posts                             | posts-create
            GET    | /api/v1/posts/p1                          | post-get
            POST   | /api/v1/posts/p1/publish                  | post-publish
            GET    | /api/v1/post-items/pi_1/analytics         | post-item-analytics
            GET    | /api/v1/calendar/entries                  | calendar-entries-list
            POST   | /api/v1/calendar/entries                  | calendar-entry-create
            GET    | /api/v1/calendar/entries/e1               | calendar-entry-get
            PATCH  | /api/v1/calendar/entries/e1               | calendar-entry-update
            DELETE | /api/v1/calendar/entries/e1               | calendar-entry-delete
            """)
    void matchesEachDocumentedEndpoint(String method, String path, String routeId) {
        assertThat(foundId(REAL.match(method, path))).isEqualTo(routeId);
    }

    @Test
    void publishPathMatchesPostPublishNotPostGet() {
        assertThat(foundId(REAL.match("POST", "/api/v1/posts/p1/publish"))).isEqualTo("post-publish");
    }

    @Test
    void postIdPathMatchesPostGet() {
        assertThat(foundId(REAL.match("GET", "/api/v1/posts/p1"))).isEqualTo("post-get");
    }

    @Test
    void variableNamedLikeALiteralStillMatchesTheVariable() {
        assertThat(foundId(REAL.match("GET", "/api/v1/posts/publish"))).isEqualTo("post-get");
    }

    @Test
    void variableSegmentAcceptsEveryUnreservedCharacter() {
        assertThat(foundId(REAL.match("GET", "/api/v1/posts/Az09-._~"))).isEqualTo("post-get");
    }

    // ---------------------------------------------------------------- 404

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/v1/unknown",
                "/api/v1/posts/p1/publish/now", // one segment too many
                "/api/v1/posts/p1/unpublish", // unknown literal after a variable
                "/api/v1", // a prefix of routes, not a route
                "/api",
                "/api/v2/posts",
                "/api/v1/account",
                "/api/v1/post-items/pi_1", // declared only with /analytics after it
            })
    void unknownPathIsNotFound(String path) {
        assertThat(REAL.match("GET", path)).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/API/v1/account/credits",
                "/api/V1/account/credits",
                "/api/v1/Account/credits",
                "/api/v1/POSTS/p1"
            })
    void matchingIsCaseSensitive(String path) {
        assertThat(REAL.match("GET", path)).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
    }

    @Test
    void notFoundIsA404() {
        RouteMatch.Rejected rejected = (RouteMatch.Rejected) REAL.match("GET", "/nowhere");

        assertThat(rejected.error().status()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(rejected.error().code()).isEqualTo("NOT_FOUND");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "BREW"})
    void rootIsAWellFormedPathThatNoRouteDeclaresForAnyMethod(String method) {
        // not a 400 (it is canonical), not a 405 (no route has that path, so no method is allowed there)
        assertThat(REAL.match(method, "/")).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
        assertThat(OVERLAPPING.match(method, "/")).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
    }

    @Test
    void rootIsNotTakenForAnEmptyValueOfALeadingVariable() {
        RouteTable table = parse("""
                upstreams:
                  up:
                    uri: http://up:80
                routes:
                  - { id: any-first, method: GET, path: "/{anything}", scope: posts:read, upstream: up }
                  - { id: any-two, method: GET, path: "/{a}/{b}", scope: posts:read, upstream: up }
                """);

        assertThat(foundId(table.match("GET", "/x"))).isEqualTo("any-first");
        assertThat(table.match("GET", "/")).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
        assertThat(table.match("GET", "//")).isEqualTo(new RouteMatch.Rejected(ApiError.MALFORMED_PATH));
    }

    // ---------------------------------------------------------------- 405

    @Test
    void knownPathWithAnotherMethodIs405WithTheSortedAllowList() {
        ApiError error = rejected(REAL.match("PUT", "/api/v1/calendar/entries/x"));

        assertThat(error.status()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
        assertThat(error.code()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(error.allow()).isEqualTo("DELETE, GET, PATCH");
    }

    @ParameterizedTest(name = "{0} {1} -> Allow: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            PUT     | /api/v1/calendar/entries       | GET, POST
            DELETE  | /api/v1/posts                  | POST
            GET     | /api/v1/posts/p1/publish       | POST
            POST    | /api/v1/posts/p1               | GET
            POST    | /api/v1/account/credits        | GET
            HEAD    | /api/v1/account/credits        | GET
            OPTIONS | /api/v1/media/upload           | POST
            get     | /api/v1/account/credits        | GET
            """)
    void otherMethodOnKnownPathListsThatPathsMethods(String method, String path, String allow) {
        assertThat(REAL.match(method, path)).isEqualTo(new RouteMatch.Rejected(ApiError.methodNotAllowed(allow)));
    }

    // ---------------------------------------------------------------- literal before variable

    @Test
    void literalBeatsVariableWhenBothMatch() {
        assertThat(foundId(OVERLAPPING.match("GET", "/a/b/c"))).isEqualTo("literal-b");
    }

    @Test
    void variableMatchesWhenTheLiteralDoesNot() {
        assertThat(foundId(OVERLAPPING.match("GET", "/a/z/c"))).isEqualTo("variable-y");
    }

    @Test
    void literalBranchMatchesWhereTheVariableBranchCannot() {
        assertThat(foundId(OVERLAPPING.match("GET", "/a/b/z"))).isEqualTo("literal-b");
    }

    @Test
    void walkBacktracksToTheVariableWhenTheLiteralBranchDeadEnds() {
        assertThat(foundId(OVERLAPPING.match("GET", "/a/b/c/d"))).isEqualTo("variable-y-deeper");
    }

    @Test
    void shorterLiteralPrefixIsItsOwnRoute() {
        assertThat(foundId(OVERLAPPING.match("GET", "/a/b"))).isEqualTo("literal-b-prefix");
    }

    @Test
    void neitherBranchMatchingIsNotFound() {
        assertThat(OVERLAPPING.match("GET", "/a/z/z")).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
    }

    @Test
    void unmatchedPrefixOfDeclaredPathsIsNotFound() {
        assertThat(OVERLAPPING.match("GET", "/a")).isEqualTo(new RouteMatch.Rejected(ApiError.NOT_FOUND));
    }

    // ---------------------------------------------------------------- 400 malformed

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "//", // the root with an empty segment after it
                "/.",
                "/..",
                "api/v1/account/credits", // no leading slash
                "//api/v1/account/credits", // empty first segment
                "/api//v1/account/credits", // empty segment
                "/api/v1/account/credits/", // trailing slash
                "/api/v1/./account/credits", // dot segment
                "/api/v1/account/credits/.",
                "/api/v1/../v1/account/credits", // dot-dot segment
                "/api/v1/posts/..",
                "/api/v1/posts/%2e%2e", // encoded dot-dot
                "/api/v1/posts/%2e",
                "/api/v1/posts%2Fp1", // encoded slash
                "/api/v1/posts/p%201", // any percent-encoding
                "/api/v1/account/credits;jsessionid=x", // matrix parameter
                "/api/v1/posts/p1;/publish",
                "/api\\v1\\account\\credits", // backslash
                "/api/v1/posts/p 1", // space
                "/api/v1/posts/p1\t", // tab
                "/api/v1/posts/p1\r\nX-Injected: 1", // CR LF
                "/api/v1/posts/p\0", // NUL
                "/api/v1/posts/p\u007f", // DEL
                "/api/v1/posts/p1?x=1", // a query is never part of the raw path
                "/api/v1/posts/p1#f",
                "/api/v1/posts/pé", // not ASCII
                "/api/v1/posts/p1\uFF0Fpublish", // full-width solidus
            })
    void nonCanonicalPathIsRejectedAsMalformed(String path) {
        assertThat(REAL.match("GET", path)).isEqualTo(new RouteMatch.Rejected(ApiError.MALFORMED_PATH));
    }

    @Test
    void malformedPathIsA400ValidationError() {
        ApiError error = rejected(REAL.match("GET", "/api/v1/posts/%2e%2e"));

        assertThat(error.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(error.code()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void malformedPathIsRejectedBeforeTheMethodIsConsidered() {
        assertThat(REAL.match("BREW", "/api/v1/posts/p1/")).isEqualTo(new RouteMatch.Rejected(ApiError.MALFORMED_PATH));
    }

    // ---------------------------------------------------------------- helpers

    private static String foundId(RouteMatch match) {
        assertThat(match).isInstanceOf(RouteMatch.Found.class);
        return ((RouteMatch.Found) match).route().id();
    }

    private static ApiError rejected(RouteMatch match) {
        assertThat(match).isInstanceOf(RouteMatch.Rejected.class);
        return ((RouteMatch.Rejected) match).error();
    }

    private static RouteTable parse(String yaml) {
        return new RouteTableParser("test.yml", name -> null)
                .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }
}
