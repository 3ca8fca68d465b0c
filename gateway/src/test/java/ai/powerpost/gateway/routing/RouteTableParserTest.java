package ai.powerpost.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.powerpost.gateway.auth.Scope;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractThrowableAssert;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * routes.yml: the real file parses into the 18 documented PowerPost endpoints, and every
 * validation rule stops parsing with one message naming the file and the offending entry.
 */
class RouteTableParserTest {

    /** The real route table, relative to the gateway module (surefire's working directory). */
    private static final Path ROUTES_FILE = Path.of("../routes.yml");

    private static final String UPSTREAMS = """
            upstreams:
              powerpost:
                uri: http://powerpost-api:8080
            """;

    // ---------------------------------------------------------------- the real routes.yml

    @ParameterizedTest(name = "{0}: {1} {2} needs {3}")
    @CsvSource(delimiter = '|', textBlock = """
            account-credits          | GET    | /api/v1/account/credits            | account:read
            media-upload             | POST   | /api/v1/media/upload               | media:write
            content-generate         | POST   | /api/v1/content/generate           | content:generate
            content-generations-list | GET    | /api/v1/content/generations        | content:read
            content-generation-get   | GET    | /api/v1/content/generations/{id}   | content:read
            images-generate          | POST   | /api/v1/images/generate            | images:generate
            image-generation-get     | GET    | /api/v1/images/generations/{id}    | images:read
            videos-generate          | POST   | /api/v1/videos/generate            | videos:generate
            video-generation-get     | GET    | /api/v1/videos/generations/{id}    | videos:read
            posts-create             | POST   | /api/v1/posts                      | posts:write
            post-get                 | GET    | /api/v1/posts/{id}                 | posts:read
            post-publish             | POST   | /api/v1/posts/{id}/publish         | posts:publish
            post-item-analytics      | GET    | /api/v1/post-items/{id}/analytics  | analytics:read
            calendar-entries-list    | GET    | /api/v1/calendar/entries           | calendar:read
            calendar-entry-create    | POST   | /api/v1/calendar/entries           | calendar:write
            calendar-entry-get       | GET    | /api/v1/calendar/entries/{id}      | calendar:read
            calendar-entry-update    | PATCH  | /api/v1/calendar/entries/{id}      | calendar:write
            calendar-entry-delete    | DELETE | /api/v1/calendar/entries/{id}      | calendar:write
            """)
    void realRoutesFileDeclaresEachDocumentedEndpointWithItsScope(String id, String method, String path, String scope) {
        RouteSpec route = realRoute(id);

        assertThat(route.methods()).containsExactly(method);
        assertThat(route.path().source()).isEqualTo(path);
        assertThat(route.scope().wireName()).isEqualTo(scope);
        assertThat(route.upstream().name()).isEqualTo("powerpost");
    }

    @Test
    void realRoutesFileDeclaresExactlyEighteenRoutesInFileOrder() {
        List<String> ids = realTable().routes().stream().map(RouteSpec::id).toList();

        assertThat(ids)
                .containsExactly(
                        "account-credits",
                        "media-upload",
                        "content-generate",
                        "content-generations-list",
                        "content-generation-get",
                        "images-generate",
                        "image-generation-get",
                        "videos-generate",
                        "video-generation-get",
                        "posts-create",
                        "post-get",
                        "post-publish",
                        "post-item-analytics",
                        "calendar-entries-list",
                        "calendar-entry-create",
                        "calendar-entry-get",
                        "calendar-entry-update",
                        "calendar-entry-delete");
    }

    @Test
    void onlyAccountCreditsSkipsTheWorkspaceHeader() {
        Set<String> withoutWorkspace = realTable().routes().stream()
                .filter(route -> !route.workspaceRequired())
                .map(RouteSpec::id)
                .collect(Collectors.toSet());

        assertThat(withoutWorkspace).containsExactly("account-credits");
    }

    @Test
    void realRoutesFileDeclaresOnePowerPostUpstreamFromTheFile() {
        RouteTable table = realTable();

        assertThat(table.upstreams()).containsOnlyKeys("powerpost");
        assertThat(table.upstreams().get("powerpost").uri()).isEqualTo(URI.create("http://powerpost-api:8080"));
    }

    @Test
    void realRoutesFileRequiresEachOfTheFourteenScopesOnSomeRoute() {
        Set<Scope> used = realTable().routes().stream().map(RouteSpec::scope).collect(Collectors.toSet());

        assertThat(used).containsExactlyInAnyOrderElementsOf(Scope.FULL_ACCESS);
    }

    @Test
    void upstreamOverrideReplacesTheUriOfTheRealFile() {
        List<String> asked = new ArrayList<>();
        RouteTable table = RouteTableParser.load(ROUTES_FILE, name -> {
            asked.add(name);
            return "GATEWAY_UPSTREAM_POWERPOST".equals(name) ? "http://127.0.0.1:18080" : null;
        });

        assertThat(asked).containsExactlyInAnyOrder("GATEWAY_UPSTREAM_POWERPOST", "GATEWAY_UPSTREAM_POWERPOST_SANDBOX");
        assertThat(table.upstreams().get("powerpost").uri()).isEqualTo(URI.create("http://127.0.0.1:18080"));
        assertThat(table.routes())
                .allSatisfy(
                        route -> assertThat(route.upstream().uri()).isEqualTo(URI.create("http://127.0.0.1:18080")));
    }

    @Test
    void loadNamesTheAbsoluteFileWhenItCannotBeRead() {
        Path missing = Path.of("does-not-exist", "routes.yml");

        assertThatThrownBy(() -> RouteTableParser.load(missing, name -> null))
                .isInstanceOf(RouteTableException.class)
                .hasMessageStartingWith(
                        "routes file " + missing.toAbsolutePath().normalize())
                .hasMessageContaining("cannot be read");
    }

    // ---------------------------------------------------------------- a small valid table

    @Test
    void parsesAMinimalTableWithDefaults() {
        RouteTable table = parse(yaml(route("r1", "GET", "/a/{x}", "posts:read")));

        RouteSpec route = table.routes().get(0);
        assertThat(route.id()).isEqualTo("r1");
        assertThat(route.methods()).containsExactly("GET");
        assertThat(route.path().segments()).containsExactly("a", "{}");
        assertThat(route.scope()).isEqualTo(Scope.POSTS_READ);
        assertThat(route.workspaceRequired()).isTrue();
        assertThat(route.upstream().uri()).isEqualTo(URI.create("http://powerpost-api:8080"));
    }

    @Test
    void acceptsSeveralMethodsOnOneRoute() {
        RouteSpec route = parse(UPSTREAMS + """
                routes:
                  - id: r1
                    methods: [GET, HEAD]
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """).routes().get(0);

        assertThat(route.methods()).containsExactlyInAnyOrder("GET", "HEAD");
    }

    @Test
    void acceptsTwoRoutesOfTheSameShapeOnDifferentMethods() {
        RouteTable table =
                parse(yaml(route("r1", "GET", "/a/{x}", "posts:read") + route("r2", "POST", "/a/{y}", "posts:write")));

        assertThat(table.routes()).extracting(RouteSpec::id).containsExactly("r1", "r2");
    }

    @Test
    void upstreamOverrideReplacesTheUriOfTheFile() {
        RouteTable table = new RouteTableParser(
                        "test.yml",
                        name -> "GATEWAY_UPSTREAM_POWERPOST".equals(name) ? " https://backend.internal:8443 " : null)
                .parse(stream(yaml(route("r1", "GET", "/a", "posts:read"))));

        assertThat(table.upstreams().get("powerpost").uri()).isEqualTo(URI.create("https://backend.internal:8443"));
        assertThat(table.routes().get(0).upstream().uri()).isEqualTo(URI.create("https://backend.internal:8443"));
    }

    @Test
    void blankUpstreamOverrideKeepsTheUriOfTheFile() {
        RouteTable table = new RouteTableParser("test.yml", name -> "  ")
                .parse(stream(yaml(route("r1", "GET", "/a", "posts:read"))));

        assertThat(table.upstreams().get("powerpost").uri()).isEqualTo(URI.create("http://powerpost-api:8080"));
    }

    @Test
    void upstreamOverrideVariableUpperCasesTheNameAndReplacesDashes() {
        Map<String, String> env = Map.of("GATEWAY_UPSTREAM_MEDIA_STORE", "http://media:9000");
        RouteTable table = new RouteTableParser("test.yml", env::get).parse(stream("""
                upstreams:
                  media-store:
                    uri: http://placeholder:1
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: media-store
                """));

        assertThat(table.upstreams().get("media-store").uri()).isEqualTo(URI.create("http://media:9000"));
    }

    @Test
    void upstreamUriKeepsOnlySchemeHostAndPort() {
        RouteTable table = parse("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080/
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """);

        assertThat(table.upstreams().get("powerpost").uri()).isEqualTo(URI.create("http://powerpost-api:8080"));
    }

    // ---------------------------------------------------------------- sandbox-uri

    private static final String ROUTE_ON_POWERPOST = """
            routes:
              - id: r1
                method: GET
                path: /a
                scope: posts:read
                upstream: powerpost
            """;

    @Test
    void anUpstreamWithoutSandboxUriHasNoSandbox() {
        Upstream upstream =
                parse(yaml(route("r1", "GET", "/a", "posts:read"))).upstreams().get("powerpost");

        assertThat(upstream.hasSandbox()).isFalse();
        assertThat(upstream.sandboxUri()).isNull();
    }

    @Test
    void realRoutesFileDeclaresNoSandbox() {
        assertThat(realTable().upstreams().values()).noneMatch(Upstream::hasSandbox);
    }

    @Test
    void sandboxUriIsParsedBesideTheUriAndKeepsOnlySchemeHostAndPort() {
        RouteTable table = parse("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080
                    sandbox-uri: https://sandbox.powerpost-api:8443/
                """ + ROUTE_ON_POWERPOST);

        Upstream upstream = table.upstreams().get("powerpost");
        assertThat(upstream.uri()).isEqualTo(URI.create("http://powerpost-api:8080"));
        assertThat(upstream.sandboxUri()).isEqualTo(URI.create("https://sandbox.powerpost-api:8443"));
        assertThat(table.routes().get(0).upstream().sandboxUri())
                .isEqualTo(URI.create("https://sandbox.powerpost-api:8443"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ftp://sandbox:21", // not http(s)
                "http://sandbox:8080/api", // with a path
                "http://user:secret@sandbox:80", // with user info
                "http://sandbox:8080?x=1", // with a query
                "sandbox:8080", // no scheme
                "http://power post", // not a URI
            })
    void rejectsBadSandboxUriAndNamesTheField(String uri) {
        assertRejected("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080
                    sandbox-uri: '%s'
                """.formatted(uri) + ROUTE_ON_POWERPOST)
                .hasMessageContaining("upstream 'powerpost'")
                .hasMessageContaining("sandbox-uri")
                .hasMessageContaining(uri);
    }

    @Test
    void rejectsAnEmptySandboxUri() {
        assertRejected("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080
                    sandbox-uri: ''
                """ + ROUTE_ON_POWERPOST)
                .hasMessageContaining("upstream 'powerpost'")
                .hasMessageContaining("'sandbox-uri' is required and must be a string");
    }

    @Test
    void rejectsASandboxThatIsTheLiveUpstream() {
        assertRejected("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080
                    sandbox-uri: http://powerpost-api:8080/
                """ + ROUTE_ON_POWERPOST)
                .hasMessageContaining("upstream 'powerpost'")
                .hasMessageContaining("sandbox-uri must differ from uri");
    }

    @Test
    void rejectsASandboxOverrideThatIsTheLiveUpstream() {
        Map<String, String> env = Map.of("GATEWAY_UPSTREAM_POWERPOST_SANDBOX", "http://powerpost-api:8080");

        assertThatThrownBy(() -> new RouteTableParser("test.yml", env::get)
                        .parse(stream(yaml(route("r1", "GET", "/a", "posts:read")))))
                .isInstanceOf(RouteTableException.class)
                .hasMessageContaining("sandbox-uri must differ from uri");
    }

    @Test
    void sandboxOverrideReplacesTheSandboxUriOfTheFileAndLeavesTheUri() {
        Map<String, String> env = Map.of("GATEWAY_UPSTREAM_POWERPOST_SANDBOX", " http://127.0.0.1:18081 ");
        Upstream upstream = new RouteTableParser("test.yml", env::get)
                .parse(stream("""
                        upstreams:
                          powerpost:
                            uri: http://powerpost-api:8080
                            sandbox-uri: http://sandbox:8080
                        """ + ROUTE_ON_POWERPOST))
                .upstreams()
                .get("powerpost");

        assertThat(upstream.uri()).isEqualTo(URI.create("http://powerpost-api:8080"));
        assertThat(upstream.sandboxUri()).isEqualTo(URI.create("http://127.0.0.1:18081"));
    }

    @Test
    void sandboxOverrideGivesASandboxToAnUpstreamWhoseFileDeclaresNone() {
        Map<String, String> env = Map.of(
                "GATEWAY_UPSTREAM_POWERPOST", "http://127.0.0.1:18080",
                "GATEWAY_UPSTREAM_POWERPOST_SANDBOX", "http://127.0.0.1:18081");
        RouteTable table = RouteTableParser.load(ROUTES_FILE, env::get);

        assertThat(table.routes()).allSatisfy(route -> {
            assertThat(route.upstream().uri()).isEqualTo(URI.create("http://127.0.0.1:18080"));
            assertThat(route.upstream().sandboxUri()).isEqualTo(URI.create("http://127.0.0.1:18081"));
        });
    }

    @Test
    void blankSandboxOverrideKeepsTheFilesChoice() {
        Map<String, String> env = Map.of("GATEWAY_UPSTREAM_POWERPOST_SANDBOX", "  ");

        assertThat(new RouteTableParser("test.yml", env::get)
                        .parse(stream(yaml(route("r1", "GET", "/a", "posts:read"))))
                        .upstreams()
                        .get("powerpost")
                        .hasSandbox())
                .isFalse();
        assertThat(new RouteTableParser("test.yml", env::get)
                        .parse(stream("""
                                upstreams:
                                  powerpost:
                                    uri: http://powerpost-api:8080
                                    sandbox-uri: http://sandbox:8080
                                """ + ROUTE_ON_POWERPOST))
                        .upstreams()
                        .get("powerpost")
                        .sandboxUri())
                .isEqualTo(URI.create("http://sandbox:8080"));
    }

    @Test
    void rejectsABadSandboxOverrideAndNamesTheVariable() {
        Map<String, String> env = Map.of("GATEWAY_UPSTREAM_POWERPOST_SANDBOX", "ftp://elsewhere");

        assertThatThrownBy(() -> new RouteTableParser("test.yml", env::get)
                        .parse(stream(yaml(route("r1", "GET", "/a", "posts:read")))))
                .isInstanceOf(RouteTableException.class)
                .hasMessageContaining("upstream 'powerpost'")
                .hasMessageContaining("GATEWAY_UPSTREAM_POWERPOST_SANDBOX")
                .hasMessageContaining("sandbox-uri")
                .hasMessageContaining("ftp://elsewhere");
    }

    @Test
    void sandboxOverrideVariableIsTheUpstreamsVariableWithSandbox() {
        assertThat(Upstream.sandboxOverrideVariable("media-store")).isEqualTo("GATEWAY_UPSTREAM_MEDIA_STORE_SANDBOX");
    }

    @Test
    void rejectsAnUpstreamWhoseVariableIsAnotherUpstreamsSandboxVariable() {
        assertRejected("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080
                  powerpost-sandbox:
                    uri: http://other:8080
                """ + ROUTE_ON_POWERPOST)
                .hasMessageContaining("upstream 'powerpost-sandbox'")
                .hasMessageContaining("GATEWAY_UPSTREAM_POWERPOST_SANDBOX");
    }

    // ---------------------------------------------------------------- validation errors

    @Test
    void rejectsUnknownScope() {
        assertRejected(yaml(route("r1", "GET", "/a", "posts:delete")))
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("unknown scope 'posts:delete'");
    }

    @Test
    void rejectsScopeInAnotherCase() {
        assertRejected(yaml(route("r1", "GET", "/a", "Posts:Read")))
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("unknown scope 'Posts:Read'");
    }

    @Test
    void rejectsDuplicateId() {
        assertRejected(yaml(route("r1", "GET", "/a", "posts:read") + route("r1", "GET", "/b", "posts:read")))
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("duplicate id");
    }

    @Test
    void rejectsTwoRoutesOnTheSameMethodAndPathShape() {
        assertRejected(yaml(route("r1", "GET", "/a/{x}", "posts:read") + route("r2", "GET", "/a/{y}", "posts:read")))
                .hasMessageContaining("route 'r2'")
                .hasMessageContaining("GET /a/{y}")
                .hasMessageContaining("route 'r1'");
    }

    @Test
    void rejectsTheSamePathTwiceWhenOneMethodOverlaps() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    methods: [GET, POST]
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                  - id: r2
                    methods: [DELETE, POST]
                    path: /a
                    scope: posts:write
                    upstream: powerpost
                """)
                .hasMessageContaining("route 'r2'")
                .hasMessageContaining("POST /a")
                .hasMessageContaining("route 'r1'");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/a//b", // empty segment
                "/a/", // trailing slash: empty last segment
                "/a/../b", // dot-dot
                "/a/./b", // dot
                "/a/%2e/b", // percent-encoded dot
                "/a/%2F", // percent-encoded slash
                "a/b", // no leading slash
                "/", // no segment
                "/a/{x}/b/{x}", // repeated variable name
                "/a/{}", // variable without a name
                "/a/{x/y}", // variable name with a slash
                "/a/b;x=1", // matrix parameter
                "/a/b c", // space
                "/a/Ü", // not ASCII
            })
    void rejectsMalformedPathTemplate(String path) {
        assertRejected(yaml(route("r1", "GET", path, "posts:read")))
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining(path);
    }

    @Test
    void rejectsRouteWithoutScope() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    upstream: powerpost
                """).hasMessageContaining("route 'r1'").hasMessageContaining("'scope' is required");
    }

    @Test
    void rejectsRouteWithEmptyScope() {
        assertRejected(yaml(route("r1", "GET", "/a", "")))
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("'scope' is required");
    }

    @Test
    void rejectsRouteWithTwoScopes() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: [posts:read, posts:write]
                    upstream: powerpost
                """).hasMessageContaining("route 'r1'").hasMessageContaining("'scope'");
    }

    @Test
    void rejectsRouteWithoutId() {
        assertRejected(UPSTREAMS + """
                routes:
                  - method: GET
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """).hasMessageContaining("route #1").hasMessageContaining("'id' is required");
    }

    @Test
    void rejectsUpperCaseId() {
        assertRejected(yaml(route("Post-Get", "GET", "/a", "posts:read")))
                .hasMessageContaining("route 'Post-Get'")
                .hasMessageContaining("lower-case");
    }

    @Test
    void rejectsUnknownUpstream() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: elsewhere
                """)
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("unknown upstream 'elsewhere'");
    }

    @Test
    void rejectsUnknownFieldInRoute() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scpoe: posts:read
                    upstream: powerpost
                """)
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("unknown field 'scpoe'");
    }

    @Test
    void rejectsUnknownFieldAtTopLevel() {
        assertRejected(yaml(route("r1", "GET", "/a", "posts:read")) + "filters: []\n")
                .hasMessageContaining("top level")
                .hasMessageContaining("unknown field 'filters'");
    }

    @Test
    void rejectsUnknownFieldInUpstream() {
        assertRejected("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080
                    timeout: 5s
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """)
                .hasMessageContaining("upstream 'powerpost'")
                .hasMessageContaining("unknown field 'timeout'");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ftp://powerpost-api:21", // not http(s)
                "http://powerpost-api:8080/api", // with a path
                "http://user:secret@powerpost-api:80", // with user info
                "http://powerpost-api:8080?x=1", // with a query
                "http://powerpost-api:8080#top", // with a fragment
                "powerpost-api:8080", // no scheme
                "/api", // relative
                "http:///api", // no host
                "http://power post", // not a URI
            })
    void rejectsBadUpstreamUri(String uri) {
        assertRejected("""
                upstreams:
                  powerpost:
                    uri: '%s'
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """.formatted(uri))
                .hasMessageContaining("upstream 'powerpost'")
                .hasMessageContaining(uri);
    }

    @Test
    void rejectsBadUpstreamUriFromTheOverrideAndNamesTheVariable() {
        UnaryOperator<@Nullable String> env = name -> "ftp://elsewhere";

        assertThatThrownBy(() -> new RouteTableParser("test.yml", env)
                        .parse(stream(yaml(route("r1", "GET", "/a", "posts:read")))))
                .isInstanceOf(RouteTableException.class)
                .hasMessageStartingWith("routes file test.yml: ")
                .hasMessageContaining("upstream 'powerpost'")
                .hasMessageContaining("GATEWAY_UPSTREAM_POWERPOST")
                .hasMessageContaining("ftp://elsewhere");
    }

    @Test
    void rejectsUpperCaseUpstreamName() {
        assertRejected("""
                upstreams:
                  PowerPost:
                    uri: http://powerpost-api:8080
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: PowerPost
                """).hasMessageContaining("upstream 'PowerPost'");
    }

    @Test
    void rejectsTableWithoutUpstreams() {
        assertRejected("""
                upstreams: {}
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """).hasMessageContaining("declares no upstream");
    }

    @Test
    void rejectsTableWithoutRoutes() {
        assertRejected(UPSTREAMS + "routes: []\n").hasMessageContaining("'routes' must be a non-empty list");
    }

    @Test
    void rejectsInvalidYaml() {
        assertRejected(UPSTREAMS + "routes: [ {id: r1, method: GET\n").hasMessageContaining("is not valid YAML");
    }

    @Test
    void rejectsEmptyDocument() {
        assertRejected("").hasMessageContaining("the top level must be a mapping");
    }

    @Test
    void rejectsAListAtTheTopLevel() {
        assertRejected("- upstreams\n- routes\n").hasMessageContaining("the top level must be a mapping");
    }

    @Test
    void rejectsTwoDocuments() {
        String one = yaml(route("r1", "GET", "/a", "posts:read"));

        assertRejected(one + "---\n" + one).hasMessageContaining("is not valid YAML");
    }

    @Test
    void refusesAJavaTypeTagWithoutInstantiatingIt() {
        assertRejected("""
                !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://127.0.0.1:1/"]]]]
                """).hasMessageContaining("is not valid YAML");
    }

    @Test
    void refusesATypeTagInsideARouteWithoutInstantiatingIt() {
        Canary.constructed.set(0);

        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: !!ai.powerpost.gateway.routing.RouteTableParserTest$Canary {}
                    upstream: powerpost
                """).hasMessageContaining("is not valid YAML");
        assertThat(Canary.constructed).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"FETCH", "get", "TRACE", "CONNECT", "Get"})
    void rejectsMethodOutsideTheAllowedSet(String method) {
        assertRejected(yaml(route("r1", method, "/a", "posts:read")))
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("'" + method + "'");
    }

    @Test
    void rejectsTheSameMethodListedTwice() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    methods: [GET, GET]
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """).hasMessageContaining("route 'r1'").hasMessageContaining("listed once");
    }

    @Test
    void rejectsBothMethodAndMethods() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    methods: [POST]
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """)
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("exactly one of 'method' or 'methods'");
    }

    @Test
    void rejectsRouteWithoutMethod() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """)
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("exactly one of 'method' or 'methods'");
    }

    @Test
    void rejectsWorkspaceThatIsNotABoolean() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    workspace: "false"
                    upstream: powerpost
                """)
                .hasMessageContaining("route 'r1'")
                .hasMessageContaining("'workspace' must be true or false");
    }

    @Test
    void rejectsDuplicateKeyInARoute() {
        assertRejected(UPSTREAMS + """
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    scope: posts:publish
                    upstream: powerpost
                """)
                .hasMessageContaining("is not valid YAML")
                .hasMessageContaining("duplicate key");
    }

    @Test
    void rejectsDuplicateUpstreamName() {
        assertRejected("""
                upstreams:
                  powerpost:
                    uri: http://powerpost-api:8080
                  powerpost:
                    uri: http://evil:8080
                routes:
                  - id: r1
                    method: GET
                    path: /a
                    scope: posts:read
                    upstream: powerpost
                """).hasMessageContaining("duplicate key");
    }

    @Test
    void rejectsAliasBomb() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char previous = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [");
            yaml.append(String.join(", ", java.util.Collections.nCopies(10, "*" + previous)));
            yaml.append("]\n");
        }

        assertRejected(yaml.toString()).hasMessageContaining("is not valid YAML");
    }

    // ---------------------------------------------------------------- helpers

    /** Counts instantiations: a type tag that reached a constructor would show here. */
    public static final class Canary {
        static final AtomicInteger constructed = new AtomicInteger();

        public Canary() {
            constructed.incrementAndGet();
        }
    }

    private static RouteTable realTable() {
        return RouteTableParser.load(ROUTES_FILE, name -> null);
    }

    private static RouteSpec realRoute(String id) {
        return realTable().routes().stream()
                .filter(route -> route.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no route '" + id + "' in " + ROUTES_FILE));
    }

    private static String yaml(String routes) {
        return UPSTREAMS + "routes:\n" + routes;
    }

    private static String route(String id, String method, String path, String scope) {
        return """
                  - id: '%s'
                    method: '%s'
                    path: '%s'
                    scope: '%s'
                    upstream: powerpost
                """.formatted(id, method, path, scope);
    }

    private static ByteArrayInputStream stream(String yaml) {
        return new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static RouteTable parse(String yaml) {
        return new RouteTableParser("test.yml", name -> null).parse(stream(yaml));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String yaml) {
        return assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(RouteTableException.class)
                .hasMessageStartingWith("routes file test.yml: ");
    }
}
