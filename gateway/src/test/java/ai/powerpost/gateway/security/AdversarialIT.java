package ai.powerpost.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RawHttp;
import ai.powerpost.gateway.support.RecordingUpstream.Received;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;

/**
 * Adversarial requests against a running gateway, one nested class per threat. Every case checks
 * both sides: what the client got (status, and {@code error.code} for errors) and what the
 * recording upstream received (usually nothing: each case carries a unique marker in its path or
 * query, and no upstream request may contain it). Requests that a client library would normalise
 * away are written on a plain socket ({@link RawHttp}).
 */
@GatewayIntegrationTest
class AdversarialIT extends GatewayTestBase {

    /** Replaced by the case's unique marker in path and target templates. */
    private static final String M = "{m}";

    // ------------------------------------------------------------------ helpers

    private static String marker() {
        return unique("adv");
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private static String upstreamAuthority() {
        return URI.create(UPSTREAM.uri()).getAuthority();
    }

    /** A raw request carrying the tenant's key and workspace: if it were routed, it would be proxied. */
    private static RawHttp.Builder authed(String method, String target, Tenant tenant) {
        return RawHttp.request(method, target)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId());
    }

    /** No request the upstream ever received carries the marker, in its URI or in any header. */
    private static void assertNeverProxied(String marker) {
        assertThat(UPSTREAM.all())
                .as("upstream requests carrying marker %s", marker)
                .noneMatch(r -> r.uri().contains(marker)
                        || r.headers().values().stream().flatMap(List::stream).anyMatch(v -> v.contains(marker)));
    }

    /** The one upstream request carrying the marker. */
    private static Received proxiedOnce(String marker) {
        List<Received> received =
                UPSTREAM.all().stream().filter(r -> r.uri().contains(marker)).toList();
        assertThat(received).as("upstream requests carrying marker %s", marker).hasSize(1);
        return received.get(0);
    }

    private static void assertError(RawHttp.Response response, int status, String code) {
        assertThat(response.status()).as("status of %s", response).isEqualTo(status);
        assertThat(response.header("Content-Type"))
                .as("content type of %s", response)
                .startsWith("application/json");
        assertThat(response.errorCode()).as("error.code of %s", response).isEqualTo(code);
        assertCleanBody(response.body());
    }

    /** An error body never carries a stack trace, a class name, an address, a store name or a secret. */
    private static void assertCleanBody(String body, String... secrets) {
        String lower = body.toLowerCase(Locale.ROOT);
        assertThat(lower)
                .as("error body %s", body)
                .doesNotContain("exception")
                .doesNotContain("java.")
                .doesNotContain("\tat ")
                .doesNotContain("at ai.powerpost")
                .doesNotContain("127.0.0.1")
                .doesNotContain("redis")
                .doesNotContain("trace");
        for (String secret : secrets) {
            assertThat(body).as("error body %s", body).doesNotContain(secret);
        }
    }

    /** A target template, sent as ISO-8859-1 or as UTF-8 bytes. */
    record RawTarget(String template, boolean utf8) {
        RawHttp.Response send(RawHttp.Builder request, int port) {
            return utf8 ? request.sendUtf8(port) : request.send(port);
        }

        @Override
        public String toString() {
            return template + (utf8 ? " (UTF-8)" : "");
        }
    }

    private static String t(String template, String marker) {
        return template.replace(M, marker);
    }

    // ------------------------------------------------------------------ path ambiguity

    @Nested
    class PathAmbiguity {

        static Stream<String> ambiguousTargets() {
            return Stream.of(
                    "/api/v1/posts/./{m}",
                    "/api/v1/./posts/{m}",
                    "/./api/v1/posts/{m}",
                    "/api/v1/posts/../posts/{m}",
                    "/api/v1/posts/{m}/..",
                    "/api/v1/posts/{m}/.",
                    "/api/v1/posts/{m}/../../posts/{m}",
                    "/api/v1/posts/%2e/{m}",
                    "/api/v1/posts/%2E%2E/posts/{m}",
                    "/api/v1/posts/.%2e/posts/{m}",
                    "/api/v1/posts/{m}%2fpublish",
                    "/api/v1/posts/{m}%2Fpublish",
                    "/api/v1/posts%2F{m}",
                    "/api/v1/posts/{m}%5cpublish",
                    "/api/v1/posts/{m}%5C..%5Cx",
                    "/api/v1//posts/{m}",
                    "//api/v1/posts/{m}",
                    "/api/v1/posts/{m}/",
                    "/api/v1/posts/{m}//",
                    "/api/v1/posts/{m};x=y",
                    "/api/v1/posts;x=y/{m}",
                    "/api/v1/posts/{m};/publish",
                    "/api/v1/posts/..;/posts/{m}",
                    "/api/v1/posts/{m}%00",
                    "/api/v1/posts/{m}%0d%0aX-Injected:%20yes",
                    "/api/v1/posts/{m}%20",
                    "/api/v1/posts/{m}%41",
                    "/api/v1/%70osts/{m}",
                    "/api/v1/posts/{m}%C3%A9",
                    "/api/v1/posts/{m}%EF%BC%8Fpublish",
                    "/api/v1/posts/{m}\u00e9",
                    "/api/v1/posts/{m}:publish",
                    "/api/v1/posts/{m}@evil",
                    "/api/v1/posts/{m}!");
        }

        @ParameterizedTest(name = "GET {0} is 400 and never proxied")
        @MethodSource("ambiguousTargets")
        void ambiguousPathIs400ValidationErrorAndNeverProxied(String template) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", t(template, m), tenant).send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        @ParameterizedTest(name = "GET {0} (raw UTF-8 on the wire) is 400 and never proxied")
        @ValueSource(
                strings = {
                    "/api/v1/posts/{m}é",
                    "/api/v1/pοsts/{m}",
                    "/api/v1/posts/{m}\u00fc",
                    "/api/v1/posts/\u00e4{m}"
                })
        void nonAsciiPathIs400ValidationErrorAndNeverProxied(String template) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", t(template, m), tenant).sendUtf8(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        /**
         * Targets that java.net.URI cannot parse (raw backslash, broken percent-encoding, control
         * characters, UTF-8 bytes that decode to C1 controls in ISO-8859-1) are refused by the HTTP
         * layer before any gateway filter: 400, never proxied, but with an empty body.
         */
        static Stream<RawTarget> targetsRefusedByTheHttpLayer() {
            return Stream.of(
                    new RawTarget("/api/v1/posts\\{m}", false),
                    new RawTarget("/api/v1/posts/{m}\\..\\..\\admin", false),
                    new RawTarget("/api/v1/posts/{m}%", false),
                    new RawTarget("/api/v1/posts/{m}%zz", false),
                    new RawTarget("/api/v1/posts/{m}%u002e", false),
                    new RawTarget("/api/v1/posts/{m}\u0001", false),
                    new RawTarget("/api/v1/posts/{m}\u007f", false),
                    new RawTarget("/api/v1/posts/{m}\uFF0Fpublish", true),
                    new RawTarget("/api/v1/posts/{m}\u2024\u2024", true),
                    new RawTarget("/api/v1/posts/{m}\u200B", true));
        }

        @ParameterizedTest(name = "GET {0} is 400 and never proxied")
        @MethodSource("targetsRefusedByTheHttpLayer")
        void unparseableTargetIs400AndNeverProxied(RawTarget target) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = target.send(authed("GET", t(target.template(), m), tenant), port);
            assertThat(response.status()).as("%s", response).isEqualTo(400);
            assertThat(response.errorCode())
                    .as("PowerPost's JSON, not an empty body: %s", response)
                    .isEqualTo("VALIDATION_ERROR");
            assertCleanBody(response.body(), tenant.key().key());
            assertNeverProxied(m);
        }

        @Test
        void canonicalRawRequestIsProxiedWithExactlyThePathSent() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response =
                    authed("GET", "/api/v1/posts/" + m + "?a=1&b=%2F", tenant).send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.method()).isEqualTo("GET");
            assertThat(received.uri()).isEqualTo("/api/v1/posts/" + m + "?a=1&b=%2F");
        }

        @Test
        void dotSegmentsInTheQueryLeaveTheCanonicalPathAndTheQueryUntouched() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m + "?q=1;/../../admin", tenant)
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(proxiedOnce(m).uri()).isEqualTo("/api/v1/posts/" + m + "?q=1;/../../admin");
        }

        @Test
        void fragmentIsNeverForwardedAsPartOfThePath() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m + "#/../../publish", tenant)
                    .send(port);
            if (response.status() == 400) {
                assertThat(response.errorCode()).isEqualTo("VALIDATION_ERROR");
                assertNeverProxied(m);
            } else {
                assertThat(response.status()).as("%s", response).isEqualTo(200);
                assertThat(proxiedOnce(m).uri()).isEqualTo("/api/v1/posts/" + m);
            }
        }

        @ParameterizedTest(name = "{0} {1} is 404")
        @org.junit.jupiter.params.provider.CsvSource({
            "GET, /API/v1/posts/{m}",
            "GET, /Api/v1/posts/{m}",
            "GET, /api/V1/posts/{m}",
            "GET, /api/v1/POSTS/{m}",
            "GET, /api/v1/Posts/{m}",
            "POST, /api/v1/posts/{m}/PUBLISH",
            "GET, /api/v1/ACCOUNT/CREDITS?m={m}"
        })
        void pathsAreCaseSensitive(String method, String template) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed(method, t(template, m), tenant).send(port);
            assertError(response, 404, "NOT_FOUND");
            assertNeverProxied(m);
        }

        @Test
        void absoluteFormTargetStillReachesOnlyTheConfiguredUpstreamWithTheCanonicalPath() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "http://evil.example/api/v1/posts/" + m, tenant)
                    .header("Host", "evil.example")
                    .send(port);
            if (response.status() == 400) {
                assertThat(response.errorCode()).isEqualTo("VALIDATION_ERROR");
                assertNeverProxied(m);
                return;
            }
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.uri()).isEqualTo("/api/v1/posts/" + m);
            assertThat(received.first("Host")).isEqualTo(upstreamAuthority());
        }

        @Test
        void absoluteFormTargetNamingTheUpstreamItselfIsNoBypass() {
            Tenant tenant = tenant("read_only");
            String m = marker();
            RawHttp.Response response = authed("POST", UPSTREAM.uri() + "/api/v1/posts/" + m + "/publish", tenant)
                    .header("Host", upstreamAuthority())
                    .send(port);
            assertError(response, 403, "INSUFFICIENT_SCOPE");
            assertNeverProxied(m);
        }

        @ParameterizedTest(name = "GET {0} is 400")
        @ValueSource(
                strings = {
                    "http://evil.example/api/v1/posts/./{m}",
                    "http://evil.example/api/v1/../admin/v1/accounts/{m}/keys",
                    "http://evil.example//api/v1/posts/{m}",
                    "http://evil.example/api/v1/posts/{m}%2fpublish"
                })
        void absoluteFormTargetWithAnAmbiguousPathIs400(String template) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", t(template, m), tenant)
                    .header("Host", "evil.example")
                    .send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        @Test
        void hostHeaderPointingElsewhereDoesNotChangeWhereOrWhatIsProxied() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Host", "evil.example:6379")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.uri()).isEqualTo("/api/v1/posts/" + m);
            assertThat(received.first("Host")).isEqualTo(upstreamAuthority());
        }

        @Test
        void twoHostHeadersDoNotChangeWhereOrWhatIsProxied() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Host", "evil.example")
                    .header("Host", "127.0.0.1:" + port)
                    .send(port);
            if (response.status() == 400) {
                assertNeverProxied(m);
                return;
            }
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.uri()).isEqualTo("/api/v1/posts/" + m);
            assertThat(received.header("Host")).containsExactly(upstreamAuthority());
            assertThat(received.headers().values().stream().flatMap(List::stream))
                    .noneMatch(v -> v.contains("evil.example"));
        }

        /** Regression (found by this suite, now fixed): RFC 9112 section 3.2: a request with more than one Host line MUST get 400. It is proxied (200). */
        @Test
        void twoHostHeadersAreRefusedAndNeverProxied() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Host", "127.0.0.1:" + port)
                    .header("Host", "evil.example")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(400);
            assertNeverProxied(m);
        }

        @ParameterizedTest(name = "{0} is refused and never proxied")
        @ValueSource(strings = {"GET *", "OPTIONS *", "CONNECT 127.0.0.1:1", "GET evil.example:80"})
        void asteriskAndAuthorityFormTargetsAreRefused(String requestLine) {
            Tenant tenant = tenant("full_access");
            int before = UPSTREAM.all().size();
            String[] parts = requestLine.split(" ", 2);
            RawHttp.Response response = authed(parts[0], parts[1], tenant).send(port);
            assertThat(response.status()).as("%s", response).isBetween(400, 499);
            assertCleanBody(response.body(), tenant.key().key());
            assertThat(UPSTREAM.all()).hasSize(before);
        }
    }

    // ------------------------------------------------------------------ method override

    @Nested
    class MethodOverride {

        @ParameterizedTest(name = "{0}: POST does not change the route")
        @ValueSource(
                strings = {"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "x-http-method-override"})
        void overrideHeaderDoesNotChangeTheRouteAndIsNotForwarded(String header) {
            Tenant tenant = tenant("read_only");
            String m = marker();
            client.get()
                    .uri(uri("/api/v1/posts/" + m))
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", tenant.workspaceId())
                    .header(header, "POST")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Void.class);
            Received received = proxiedOnce(m);
            assertThat(received.method()).isEqualTo("GET");
            assertThat(received.uri()).isEqualTo("/api/v1/posts/" + m);
            assertThat(received.header("X-HTTP-Method-Override")).isEmpty();
            assertThat(received.header("X-HTTP-Method")).isEmpty();
            assertThat(received.header("X-Method-Override")).isEmpty();
        }

        @ParameterizedTest(name = "?{0} is dropped, upstream gets ?{1}")
        @org.junit.jupiter.params.provider.CsvSource(
                delimiter = '|',
                value = {
                    "_method=POST|",
                    "%5Fmethod=POST|",
                    "%5fmethod=POST|",
                    "_METHOD=POST|",
                    "_Method=DELETE|",
                    "_method|",
                    "+_method=POST|",
                    "_method%20=POST|",
                    "a=1&_method=POST&b=2|a=1&b=2",
                    "_method=POST&_method=PUT&keep=yes|keep=yes",
                    "method=POST&x_method=1&_methods=2|method=POST&x_method=1&_methods=2"
                })
        void methodQueryParameterDoesNotChangeTheRouteAndIsNotForwarded(String query, String expected) {
            Tenant tenant = tenant("read_only");
            String m = marker();
            RawHttp.Response response =
                    authed("GET", "/api/v1/posts/" + m + "?" + query, tenant).send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.method()).isEqualTo("GET");
            String want = expected == null || expected.isEmpty()
                    ? "/api/v1/posts/" + m
                    : "/api/v1/posts/" + m + "?" + expected;
            assertThat(received.uri()).isEqualTo(want);
        }

        /**
         * Regression (found by this suite, now fixed): withoutMethodOverride returns the query untouched unless it contains the text
         * "method", so percent-encoded letters in the name slip through to the upstream.
         */
        @ParameterizedTest(name = "?{0} is dropped")
        @ValueSource(strings = {"_%6Dethod=POST", "%5F%6D%65%74%68%6F%64=POST", "_m%65thod=DELETE"})
        void methodQueryParameterWithPercentEncodedLettersIsNotForwarded(String query) {
            Tenant tenant = tenant("read_only");
            String m = marker();
            RawHttp.Response response =
                    authed("GET", "/api/v1/posts/" + m + "?" + query, tenant).send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.method()).isEqualTo("GET");
            assertThat(received.uri()).isEqualTo("/api/v1/posts/" + m);
        }

        @ParameterizedTest(name = "GET .../publish with {0}: {1} is 405, never a publish")
        @org.junit.jupiter.params.provider.CsvSource({
            "X-HTTP-Method-Override, POST",
            "X-HTTP-Method, POST",
            "X-Method-Override, POST"
        })
        void overrideHeaderCannotTurnAGetIntoAPublish(String header, String value) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            client.get()
                    .uri(uri("/api/v1/posts/" + m + "/publish"))
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", tenant.workspaceId())
                    .header(header, value)
                    .exchange()
                    .expectStatus()
                    .isEqualTo(405)
                    .expectHeader()
                    .valueEquals("Allow", "POST")
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("METHOD_NOT_ALLOWED");
            assertNeverProxied(m);
        }

        @ParameterizedTest(name = "GET .../publish?{0} is 405")
        @ValueSource(strings = {"_method=POST", "%5Fmethod=POST", "_METHOD=post"})
        void methodQueryParameterCannotTurnAGetIntoAPublish(String query) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m + "/publish?" + query, tenant)
                    .send(port);
            assertError(response, 405, "METHOD_NOT_ALLOWED");
            assertThat(response.header("Allow")).isEqualTo("POST");
            assertNeverProxied(m);
        }

        @Test
        void overrideToGetDoesNotLetAPostReachAGetOnlyPath() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("POST", "/api/v1/posts/" + m + "?_method=GET", tenant)
                    .header("X-HTTP-Method-Override", "GET")
                    .body("{}")
                    .send(port);
            assertError(response, 405, "METHOD_NOT_ALLOWED");
            assertThat(response.header("Allow")).isEqualTo("GET");
            assertNeverProxied(m);
        }

        @ParameterizedTest(name = "{0} {1} with a {2} key is refused, never proxied")
        @org.junit.jupiter.params.provider.CsvSource({
            "get, /api/v1/posts/{m}, full_access",
            "Get, /api/v1/posts/{m}, full_access",
            "post, /api/v1/posts/{m}/publish, draft_only",
            "pOST, /api/v1/posts/{m}/publish, full_access",
            "delete, /api/v1/calendar/entries/{m}, read_only",
            "TRACE, /api/v1/posts/{m}, full_access",
            "PROPFIND, /api/v1/posts/{m}, full_access",
            "HEAD, /api/v1/posts/{m}/publish, read_only"
        })
        void methodNamesAreCaseSensitiveAndUndeclaredMethodsAreRefused(String method, String template, String preset) {
            Tenant tenant = tenant(preset);
            String m = marker();
            RawHttp.Response response = authed(method, t(template, m), tenant).send(port);
            assertThat(response.status()).as("%s", response).isIn(400, 405);
            if (!method.equals("HEAD")) {
                assertThat(response.errorCode()).isIn("VALIDATION_ERROR", "METHOD_NOT_ALLOWED");
                assertCleanBody(response.body(), tenant.key().key());
            }
            assertNeverProxied(m);
        }
    }

    // ------------------------------------------------------------------ credential ambiguity

    @Nested
    class CredentialAmbiguity {

        private void assertInvalid(RawHttp.Response response, String marker, String... keys) {
            assertError(response, 401, "INVALID_API_KEY");
            assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"powerpost\"");
            assertCleanBody(response.body(), keys);
            assertNeverProxied(marker);
        }

        @Test
        void controlOneKeyInOneHeaderIsProxied() {
            Tenant tenant = tenant("read_only");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", tenant.key().key())
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            proxiedOnce(m);
        }

        @Test
        void sameKeyTwiceInXApiKeyIsInvalid() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("x-api-key", tenant.key().key())
                    .send(port);
            assertInvalid(response, m, tenant.key().key());
        }

        @Test
        void twoDifferentKeysInXApiKeyAreInvalid() {
            Tenant a = tenant("read_only");
            Tenant b = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", a.key().key())
                    .header("X-API-KEY", b.key().key())
                    .send(port);
            assertInvalid(response, m, a.key().key(), b.key().key());
        }

        @Test
        void twoKeysInOneCommaJoinedXApiKeyAreInvalid() {
            Tenant a = tenant("read_only");
            Tenant b = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", a.key().key() + ", " + b.key().key())
                    .send(port);
            assertInvalid(response, m, a.key().key(), b.key().key());
        }

        @Test
        void repeatedAuthorizationIsInvalid() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("Authorization", "Bearer " + tenant.key().key())
                    .header("Authorization", "Bearer " + tenant.key().key())
                    .send(port);
            assertInvalid(response, m, tenant.key().key());
        }

        @ParameterizedTest(name = "Authorization: {0} <key> is invalid")
        @ValueSource(strings = {"Basic", "Token", "Digest", "ApiKey", "Bearer:"})
        void authorizationWithAnotherSchemeIsInvalid(String scheme) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            String credential = scheme.equals("Basic")
                    ? Base64.getEncoder().encodeToString((tenant.key().key() + ":").getBytes())
                    : tenant.key().key();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("Authorization", scheme + " " + credential)
                    .send(port);
            assertInvalid(response, m, tenant.key().key());
        }

        @Test
        void basicAuthorizationNextToAValidXApiKeyIsInvalid() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes()))
                    .send(port);
            assertInvalid(response, m, tenant.key().key());
        }

        @Test
        void bearerWithOneKeyWhileXApiKeyHoldsAnotherIsInvalid() {
            Tenant weak = tenant("read_only");
            Tenant strong = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("POST", "/api/v1/posts/" + m + "/publish")
                    .header("x-api-key", weak.key().key())
                    .header("Authorization", "Bearer " + strong.key().key())
                    .header("X-Workspace-Id", strong.workspaceId())
                    .send(port);
            assertInvalid(response, m, weak.key().key(), strong.key().key());
            RawHttp.Response swapped = RawHttp.request("POST", "/api/v1/posts/" + m + "/publish")
                    .header("Authorization", "Bearer " + weak.key().key())
                    .header("x-api-key", strong.key().key())
                    .header("X-Workspace-Id", strong.workspaceId())
                    .send(port);
            assertInvalid(swapped, m, weak.key().key(), strong.key().key());
        }

        @ParameterizedTest(name = "key in ?{0}= is not accepted")
        @ValueSource(strings = {"api_key", "apikey", "x-api-key", "access_token", "key", "token"})
        void keyInTheQueryStringIsNotAccepted(String parameter) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request(
                            "GET",
                            "/api/v1/account/credits?m=" + m + "&" + parameter + "="
                                    + tenant.key().key())
                    .send(port);
            assertError(response, 401, "INVALID_API_KEY");
            assertThat(response.body()).contains("Missing API key");
            assertCleanBody(response.body(), tenant.key().key());
            assertNeverProxied(m);
        }

        @Test
        void keyInACookieIsNotAccepted() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header(
                            "Cookie",
                            "api_key=" + tenant.key().key() + "; x-api-key="
                                    + tenant.key().key())
                    .send(port);
            assertError(response, 401, "INVALID_API_KEY");
            assertThat(response.body()).contains("Missing API key");
            assertNeverProxied(m);
        }

        @Test
        void emptyAuthorizationNextToAValidXApiKeyIsNotAPass() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("Authorization", "Bearer")
                    .send(port);
            assertInvalid(response, m, tenant.key().key());
        }
    }

    // ------------------------------------------------------------------ workspace header

    @Nested
    class WorkspaceHeader {

        @ParameterizedTest(name = "X-Workspace-Id: \"{0}\" is 400")
        @ValueSource(
                strings = {
                    "../x",
                    "ws id",
                    "ws%00",
                    "ws/x",
                    "ws.x",
                    "ws:x",
                    "ws;x",
                    "*",
                    "ws\\x",
                    "ws\u00e9",
                    "%77%73",
                    "ws,other",
                    "ws+x",
                    "ws\"x",
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                })
        void malformedWorkspaceIdIs400AndNeverProxied(String workspace) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", workspace)
                    .send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        @Test
        void controlCharacterInTheWorkspaceIsRefusedByTheHttpLayerAndNeverProxied() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", tenant.workspaceId() + "\u0001")
                    .send(port);
            // Netty refuses the header itself: a bare 400 without a body
            assertThat(response.status()).as("%s", response).isEqualTo(400);
            assertCleanBody(response.body(), tenant.key().key());
            assertNeverProxied(m);
        }

        @Test
        void sixtyFiveCharactersIsOneTooMany() {
            assertThat("x".repeat(65)).hasSize(65);
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", tenant.key().key())
                    .header(
                            "X-Workspace-Id",
                            tenant.workspaceId()
                                    + "x".repeat(65 - tenant.workspaceId().length()))
                    .send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        @Test
        void ownWorkspaceSentTwiceIs400() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", tenant.workspaceId())
                    .header("X-Workspace-Id", tenant.workspaceId())
                    .send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        @Test
        void ownWorkspaceFollowedByAnotherAccountsWorkspaceIs400() {
            Tenant mine = tenant("full_access");
            Tenant theirs = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", mine.key().key())
                    .header("X-Workspace-Id", mine.workspaceId())
                    .header("x-workspace-id", theirs.workspaceId())
                    .send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        @Test
        void ownWorkspaceCommaJoinedWithAnotherIs400() {
            Tenant mine = tenant("full_access");
            Tenant theirs = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", mine.key().key())
                    .header("X-Workspace-Id", mine.workspaceId() + "," + theirs.workspaceId())
                    .send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
        }

        @Test
        void workspaceOfAnotherAccountIs403Forbidden() {
            Tenant mine = tenant("full_access");
            Tenant theirs = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("POST", "/api/v1/posts/" + m + "/publish")
                    .header("x-api-key", mine.key().key())
                    .header("X-Workspace-Id", theirs.workspaceId())
                    .send(port);
            assertError(response, 403, "FORBIDDEN");
            assertNeverProxied(m);
        }

        @Test
        void workspaceIdsAreCaseSensitive() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", tenant.workspaceId().toUpperCase(Locale.ROOT))
                    .send(port);
            assertError(response, 403, "FORBIDDEN");
            assertNeverProxied(m);
        }

        @Test
        void validWorkspaceReachesTheUpstreamByteForByte() {
            String account = unique("acct");
            String workspace = ("Ws-_" + unique("x") + "-AbC_09").replace('x', 'Z');
            workspace = (workspace + "0123456789012345678901234567890123456789").substring(0, 64);
            addWorkspace(account, workspace);
            CreatedKey key = createKey(account, "read_only");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", key.key())
                    .header("X-Workspace-Id", workspace)
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(proxiedOnce(m).header("X-Workspace-Id")).containsExactly(workspace);
        }
    }

    // ------------------------------------------------------------------ trusted headers

    @Nested
    class TrustedHeaders {

        @Test
        void clientSentPowerPostHeadersNeverReachTheUpstream() {
            Tenant tenant = tenant("read_only");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("X-PowerPost-Account-Id", "acct_victim")
                    .header("x-powerpost-account-id", "acct_victim2")
                    .header("X-POWERPOST-KEY-ID", "key_victim")
                    .header("X-PowerPost-Scopes", "posts:publish posts:write")
                    .header("X-PowerPost-Key-Mode", "test")
                    .header("X-PowerPost-Admin", "true")
                    .header("X-PowerPost-", "empty-suffix")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.header("X-PowerPost-Account-Id")).containsExactly(tenant.accountId());
            assertThat(received.header("X-PowerPost-Key-Id"))
                    .containsExactly(tenant.key().id());
            assertThat(received.header("X-PowerPost-Scopes")).hasSize(1);
            assertThat(received.first("X-PowerPost-Scopes").split(" "))
                    .contains("posts:read")
                    .doesNotContain("posts:publish", "posts:write");
            assertThat(received.header("X-PowerPost-Key-Mode")).containsExactly("live");
            assertThat(received.header("X-PowerPost-Admin")).isEmpty();
            assertThat(received.headers().keySet())
                    .filteredOn(name -> name.toLowerCase(Locale.ROOT).startsWith("x-powerpost-"))
                    .allMatch(name -> List.of(
                                    "x-powerpost-account-id",
                                    "x-powerpost-key-id",
                                    "x-powerpost-scopes",
                                    "x-powerpost-key-mode")
                            .contains(name.toLowerCase(Locale.ROOT)));
            assertThat(received.header("x-api-key")).isEmpty();
            assertThat(received.header("Authorization")).isEmpty();
        }

        @ParameterizedTest(name = "Connection: {0} strips nothing the gateway sets")
        @ValueSource(
                strings = {
                    "X-PowerPost-Account-Id, X-PowerPost-Scopes",
                    "keep-alive, X-PowerPost-Key-Id, X-PowerPost-Scopes, X-Request-Id",
                    "X-Forwarded-For, X-Forwarded-Proto, Host"
                })
        void connectionHeaderCannotRemoveTheGatewaysHeaders(String connection) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Connection", connection)
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.header("X-PowerPost-Account-Id")).containsExactly(tenant.accountId());
            assertThat(received.header("X-PowerPost-Key-Id"))
                    .containsExactly(tenant.key().id());
            assertThat(received.header("X-PowerPost-Scopes")).hasSize(1);
            assertThat(received.header("X-Workspace-Id")).containsExactly(tenant.workspaceId());
            assertThat(received.header("X-Request-Id")).hasSize(1);
        }

        /**
         * Regression (found by this suite, now fixed): IdentityHeadersFilter.removeConnectionNominated removes the client's
         * X-Workspace-Id after WorkspaceCheck checked it and never sets it again: the upstream
         * gets the request without the workspace the gateway verified.
         */
        @Test
        void connectionHeaderCannotRemoveTheCheckedWorkspace() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Connection", "X-PowerPost-Account-Id, X-Workspace-Id")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.header("X-PowerPost-Account-Id")).containsExactly(tenant.accountId());
            assertThat(received.header("X-Workspace-Id")).containsExactly(tenant.workspaceId());
        }

        @Test
        void clientForwardingHeadersNeverReachTheUpstream() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("X-Forwarded-For", "1.2.3.4")
                    .header("X-Forwarded-For", "5.6.7.8, 9.9.9.9")
                    .header("x-forwarded-for", "10.0.0.1")
                    .header("X-Forwarded-Host", "evil.example")
                    .header("X-Forwarded-Proto", "https")
                    .header("X-Forwarded-Port", "443")
                    .header("X-Forwarded-Prefix", "/evil")
                    .header("Forwarded", "for=1.2.3.4;host=evil.example;proto=https")
                    .header("X-Real-IP", "1.2.3.4")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.header("X-Forwarded-For"))
                    .doesNotContain("1.2.3.4", "5.6.7.8, 9.9.9.9", "10.0.0.1")
                    .allMatch("127.0.0.1"::equals);
            assertThat(received.header("Forwarded")).isEmpty();
            assertThat(received.header("X-Real-IP")).isEmpty();
            assertThat(received.header("X-Forwarded-Port")).isEmpty();
            assertThat(received.header("X-Forwarded-Prefix")).isEmpty();
            assertThat(received.header("X-Forwarded-Proto")).allMatch("http"::equals);
            assertThat(received.header("X-Forwarded-Host")).doesNotContain("evil.example");
            assertThat(received.headers().values().stream().flatMap(List::stream))
                    .noneMatch(v -> v.contains("1.2.3.4")
                            || v.contains("5.6.7.8")
                            || v.contains("evil.example")
                            || v.contains("/evil"));
        }

        /**
         * Regression (found by this suite, now fixed): IdentityHeadersFilter sets X-Forwarded-For/-Proto/-Host, but Spring Cloud
         * Gateway's RemoveXForwardedHeadersFilter (active because SCG's own trusted-proxies setting
         * is empty) removes every X-Forwarded-* header in NettyRoutingFilter afterwards: the upstream
         * never learns the client address.
         */
        @Test
        void upstreamReceivesThePeerAsXForwardedFor() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("X-Forwarded-For", "1.2.3.4")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.header("X-Forwarded-For")).containsExactly("127.0.0.1");
            assertThat(received.header("X-Forwarded-Proto")).containsExactly("http");
        }

        /**
         * Regression (found by this suite, now fixed): header names with '_' for '-' are forwarded untouched. Upstreams behind CGI-style
         * header mapping (WSGI, Rack, PHP-FPM: both spellings become HTTP_X_POWERPOST_ACCOUNT_ID)
         * may read them as the gateway's identity headers; nginx drops such names by default.
         */
        @Test
        void underscoreSpellingsOfTrustedHeadersNeverReachTheUpstream() {
            Tenant tenant = tenant("read_only");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("X_PowerPost_Account_Id", "acct_victim")
                    .header("X-PowerPost_Scopes", "posts:publish")
                    .header("X_Workspace_Id", "ws_victim")
                    .header("X_Forwarded_For", "1.2.3.4")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(m);
            assertThat(received.headers().keySet()).noneMatch(name -> name.contains("_"));
        }

        @Test
        void workspaceHeaderOnAnAccountRouteIsNotForwarded() {
            Tenant tenant = tenant("read_only");
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", "ws_of_someone_else")
                    .header("X-Workspace-Id", "../../etc")
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(proxiedOnce(m).header("X-Workspace-Id")).isEmpty();
        }
    }

    // ------------------------------------------------------------------ protocol upgrades

    @Nested
    class Upgrade {

        private void assertRefusedUpgrade(RawHttp.Response response, String marker) {
            assertError(response, 400, "VALIDATION_ERROR");
            assertThat(response.statusLine()).doesNotContain("101");
            assertThat(response.header("Upgrade")).isNull();
            assertNeverProxied(marker);
        }

        @Test
        void websocketUpgradeIs400AndNeverProxied() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Connection", "Upgrade")
                    .header("Upgrade", "websocket")
                    .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .header("Sec-WebSocket-Version", "13")
                    .send(port);
            assertRefusedUpgrade(response, m);
        }

        /**
         * An h2c offer is either refused (400, as first specified) or, since commit 4b3e71d,
         * declined: served as plain HTTP/1.1 with the offer removed. Never a 101, and the upstream
         * never sees the offer.
         */
        private void assertRefusedOrDeclinedH2c(RawHttp.Response response, String marker, String path) {
            assertThat(response.statusLine()).doesNotContain("101");
            assertThat(response.header("Upgrade")).isNull();
            if (response.status() == 400) {
                assertRefusedUpgrade(response, marker);
                return;
            }
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            Received received = proxiedOnce(marker);
            assertThat(received.method()).isEqualTo("GET");
            assertThat(received.uri()).isEqualTo(path);
            assertThat(received.header("Upgrade")).isEmpty();
            assertThat(received.header("HTTP2-Settings")).isEmpty();
            assertThat(received.header("Connection"))
                    .noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("upgrade"));
        }

        @Test
        void h2cUpgradeWithSettingsIsRefusedOrDeclinedNeverUpgraded() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Connection", "Upgrade, HTTP2-Settings")
                    .header("Upgrade", "h2c")
                    .header("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA")
                    .send(port);
            assertRefusedOrDeclinedH2c(response, m, "/api/v1/posts/" + m);
        }

        @Test
        void http2SettingsAloneIsRefusedOrDeclinedNeverUpgraded() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA")
                    .send(port);
            assertRefusedOrDeclinedH2c(response, m, "/api/v1/posts/" + m);
        }

        @Test
        void h2cOfferDoesNotLetAWebsocketUpgradeThrough() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response combined = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Connection", "Upgrade")
                    .header("Upgrade", "h2c, websocket")
                    .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                    .header("Sec-WebSocket-Version", "13")
                    .send(port);
            assertRefusedUpgrade(combined, m);
            RawHttp.Response twoLines = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("Connection", "Upgrade")
                    .header("Upgrade", "h2c")
                    .header("Upgrade", "websocket")
                    .send(port);
            assertRefusedUpgrade(twoLines, m);
        }

        @Test
        void upgradeWithoutConnectionUpgradeAndInLowerCaseIsStill400() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("POST", "/api/v1/posts?m=" + m, tenant)
                    .header("upgrade", "WebSocket")
                    .body("{}")
                    .send(port);
            assertRefusedUpgrade(response, m);
        }

        @Test
        void upgradeIsRefusedEvenWithoutCredentialsOnAnUnknownPath() {
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v9/" + m)
                    .header("Connection", "Upgrade")
                    .header("Upgrade", "websocket")
                    .send(port);
            assertRefusedUpgrade(response, m);
        }

        @Test
        void http2PriorKnowledgePrefaceIsNotServed() {
            int before = UPSTREAM.all().size();
            byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            RawHttp.Response response = RawHttp.send(port, preface);
            // the public port speaks HTTP/1.1 only (docs/http-limits.md): 505 HTTP Version Not Supported
            assertThat(response.status()).as("%s", response).isEqualTo(505);
            assertThat(response.errorCode()).isEqualTo("VALIDATION_ERROR");
            assertCleanBody(response.body());
            assertThat(UPSTREAM.all()).hasSize(before);
        }
    }

    // ------------------------------------------------------------------ redirects

    @Nested
    class Redirects {

        @ParameterizedTest(name = "upstream {0} is passed through, not followed")
        @ValueSource(ints = {301, 302, 303, 307, 308})
        void upstreamRedirectIsPassedThroughAndNeverFollowed(int status) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            client.get()
                    .uri(uri("/api/v1/posts/" + m))
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", tenant.workspaceId())
                    .header("X-Test-Status", Integer.toString(status))
                    .exchange()
                    .expectStatus()
                    .isEqualTo(status)
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("UPSTREAM");
            assertThat(UPSTREAM.receivedUnder("/api/v1/posts/" + m)).hasSize(1);
        }

        @Test
        void redirectOfAPostWithABodyIsNotReplayed() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            client.post()
                    .uri(uri("/api/v1/posts?m=" + m))
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", tenant.workspaceId())
                    .header("X-Test-Status", "307")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"content\":\"hello\"}")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(307)
                    .expectBody(Void.class);
            Received received = proxiedOnce(m);
            assertThat(received.method()).isEqualTo("POST");
            assertThat(received.bodyBytes()).isEqualTo("{\"content\":\"hello\"}".length());
        }
    }

    // ------------------------------------------------------------------ oversized requests

    @Nested
    class Oversized {

        private void assertStillServing() {
            Tenant tenant = tenant("read_only");
            String m = marker();
            client.get()
                    .uri(uri("/api/v1/account/credits?m=" + m))
                    .header("x-api-key", tenant.key().key())
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Void.class);
            proxiedOnce(m);
        }

        private void assertRefused(RawHttp.Response response, int preferred, String marker) {
            assertThat(response.status()).as("%s", response).isBetween(400, 499);
            assertThat(response.status()).as("preferred status of %s", response).isEqualTo(preferred);
            assertCleanBody(response.body());
            assertNeverProxied(marker);
            assertStillServing();
        }

        @Test
        void requestLineOverEightKilobytesIs414() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m + "a".repeat(9000), tenant)
                    .send(port);
            assertRefused(response, 414, m);
        }

        @Test
        void queryOverEightKilobytesIs414() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m + "?q=" + "b".repeat(9000), tenant)
                    .send(port);
            assertRefused(response, 414, m);
        }

        @Test
        void requestLineOfSixtyFourKilobytesIs414() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m + "?q=" + "c".repeat(64 * 1024), tenant)
                    .send(port);
            assertRefused(response, 414, m);
        }

        @Test
        void oneHeaderOverSixteenKilobytesIs431() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m, tenant)
                    .header("X-Big", "d".repeat(17 * 1024))
                    .send(port);
            assertRefused(response, 431, m);
        }

        @Test
        void manyHeadersOverSixteenKilobytesInTotalAre431() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Builder request = authed("GET", "/api/v1/posts/" + m, tenant);
            for (int i = 0; i < 100; i++) {
                request.header("X-Filler-" + i, "e".repeat(200));
            }
            RawHttp.Response response = request.send(port);
            assertRefused(response, 431, m);
        }

        @Test
        void requestsJustUnderTheLimitsAreServed() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            // the recording upstream is a default Reactor Netty server (4 KB line, 8 KB headers): stay under those
            RawHttp.Response response = authed("GET", "/api/v1/posts/" + m + "?q=" + "f".repeat(3500), tenant)
                    .header("X-Big", "g".repeat(6000))
                    .send(port);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(proxiedOnce(m).first("X-Big")).hasSize(6000);
        }
    }

    // ------------------------------------------------------------------ management surface

    @Nested
    class ManagementSurface {

        @ParameterizedTest(name = "{0} {1} on the public port is 404")
        @org.junit.jupiter.params.provider.CsvSource({
            "GET, /admin",
            "GET, /admin/v1/accounts/{m}/keys",
            "POST, /admin/v1/accounts/{m}/keys",
            "PUT, /admin/v1/accounts/{m}/workspaces/{m}",
            "GET, /actuator",
            "GET, /actuator/health",
            "GET, /actuator/health/liveness",
            "GET, /actuator/prometheus",
            "GET, /actuator/env",
            "GET, /actuator/gateway/routes",
            "GET, /actuator/gateway/globalfilters",
            "POST, /actuator/gateway/refresh",
            "GET, /error"
        })
        void managementPathsAreNotServedOnThePublicPort(String method, String template) {
            String m = marker();
            String target = t(template, m) + (template.contains(M) ? "" : "?m=" + m);
            RawHttp.Builder request = RawHttp.request(method, target).header("Authorization", "Bearer " + ADMIN_TOKEN);
            if (!method.equals("GET")) {
                request.header("Content-Type", "application/json").body("{\"name\":\"x\",\"preset\":\"full_access\"}");
            }
            RawHttp.Response response = request.send(port);
            assertError(response, 404, "NOT_FOUND");
            assertCleanBody(response.body(), ADMIN_TOKEN);
            assertNeverProxied(m);
            assertThat(UPSTREAM.receivedUnder("/admin")).isEmpty();
            assertThat(UPSTREAM.receivedUnder("/actuator")).isEmpty();
        }

        @ParameterizedTest(name = "GET {0} is 400")
        @ValueSource(
                strings = {
                    "/api/v1/../../actuator/health?m={m}",
                    "/api/v1/posts/../../../actuator/gateway/routes?m={m}",
                    "/api/v1/%2e%2e/%2e%2e/actuator/health?m={m}",
                    "/api/v1/..%2f..%2factuator/health?m={m}",
                    "/api/v1/..%5c..%5cactuator/health?m={m}",
                    "/api/v1/posts/..;/..;/..;/actuator/health?m={m}",
                    "//actuator/health?m={m}",
                    "/actuator/health/?m={m}",
                    "/%61ctuator/health?m={m}",
                    "/api/v1/../../admin/v1/accounts/{m}/keys"
                })
        void dotSegmentTricksTowardsManagementPathsAre400(String template) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("GET", t(template, m), tenant)
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .send(port);
            // x-api-key plus a different Bearer would be a 401 if it got that far: it must not get that far
            assertError(response, 400, "VALIDATION_ERROR");
            assertNeverProxied(m);
            assertThat(UPSTREAM.receivedUnder("/actuator")).isEmpty();
        }
    }

    // ------------------------------------------------------------------ error bodies

    @Nested
    class ErrorBodies {

        @Test
        void unknownWellFormedKeyIsNotEchoed() {
            String key = "pp_live_sk_" + "Q".repeat(40);
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", key)
                    .send(port);
            assertError(response, 401, "INVALID_API_KEY");
            assertCleanBody(response.body(), key, "QQQQ");
            assertNeverProxied(m);
        }

        @Test
        void malformedKeyWithMarkupIsNotEchoed() {
            String key = "pp_live_sk_<script>alert(1)</script>${jndi:ldap://x}";
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/account/credits?m=" + m)
                    .header("x-api-key", key)
                    .send(port);
            assertError(response, 401, "INVALID_API_KEY");
            assertCleanBody(response.body(), key, "<script>", "jndi");
            assertNeverProxied(m);
        }

        @Test
        void keyPlacedInAMalformedPathIsNotEchoed() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed(
                            "GET",
                            "/api/v1/posts/%2e%2e/" + m + "/" + tenant.key().key(),
                            tenant)
                    .send(port);
            assertError(response, 400, "VALIDATION_ERROR");
            assertCleanBody(response.body(), tenant.key().key(), m);
            assertNeverProxied(m);
        }

        @Test
        void scopeAndWorkspaceRefusalsNameNothingInternal() {
            Tenant tenant = tenant("read_only");
            Tenant other = tenant("read_only");
            String m = marker();
            RawHttp.Response scope =
                    authed("POST", "/api/v1/posts/" + m + "/publish", tenant).send(port);
            assertError(scope, 403, "INSUFFICIENT_SCOPE");
            assertCleanBody(scope.body(), tenant.key().key(), tenant.accountId(), tenant.workspaceId());
            RawHttp.Response workspace = RawHttp.request("GET", "/api/v1/posts/" + m)
                    .header("x-api-key", tenant.key().key())
                    .header("X-Workspace-Id", other.workspaceId())
                    .send(port);
            assertError(workspace, 403, "FORBIDDEN");
            assertCleanBody(workspace.body(), tenant.key().key(), tenant.accountId(), other.workspaceId());
            assertNeverProxied(m);
        }

        @Test
        void notFoundAskedForAsHtmlIsStillPowerPostJson() {
            String m = marker();
            RawHttp.Response response = RawHttp.request("GET", "/api/v1/nope/" + m)
                    .header("Accept", "text/html")
                    .send(port);
            assertError(response, 404, "NOT_FOUND");
            assertThat(response.body()).doesNotContain("<html", "Whitelabel", m);
            assertNeverProxied(m);
        }

        @Test
        void methodNotAllowedBodyIsPowerPostJson() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response =
                    authed("PUT", "/api/v1/posts/" + m, tenant).body("{}").send(port);
            assertError(response, 405, "METHOD_NOT_ALLOWED");
            assertCleanBody(response.body(), tenant.key().key(), m);
            assertNeverProxied(m);
        }

        @ParameterizedTest(name = "Content-Length: {0} is refused without internals")
        @ValueSource(strings = {"abc", "-1", "99999999999999999999", "1, 2"})
        void malformedContentLengthIsRefusedWithoutInternals(String contentLength) {
            Tenant tenant = tenant("full_access");
            String m = marker();
            RawHttp.Response response = authed("POST", "/api/v1/posts?m=" + m, tenant)
                    .header("Content-Length", contentLength)
                    .send(port);
            assertThat(response.status()).as("%s", response).isBetween(400, 499);
            assertCleanBody(response.body(), tenant.key().key());
            assertNeverProxied(m);
        }

        @Test
        void smuggledRequestBehindContentLengthAndChunkedIsNeverProxiedUnauthenticated() {
            Tenant tenant = tenant("full_access");
            String m = marker();
            String smuggled = "GET /api/v1/posts/" + m + "x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Workspace-Id: "
                    + tenant.workspaceId() + "\r\n\r\n";
            String body = "0\r\n\r\n" + smuggled;
            String head = "POST /api/v1/posts?m=" + m + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "x-api-key: " + tenant.key().key() + "\r\n"
                    + "X-Workspace-Id: " + tenant.workspaceId() + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n"
                    + "Transfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n";
            RawHttp.Response response =
                    RawHttp.send(port, (head + body).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertThat(response.status()).as("%s", response).isIn(200, 400);
            assertCleanBody(response.body(), tenant.key().key());
            assertThat(UPSTREAM.all()).noneMatch(r -> r.uri().contains(m + "x"));
            assertThat(UPSTREAM.all().stream().filter(r -> r.uri().contains(m)).count())
                    .isLessThanOrEqualTo(1);
        }
    }
}
