package ai.powerpost.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.support.OneCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.headers.GRPCRequestHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.GRPCResponseHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.TransferEncodingNormalizationHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@link UpstreamRequestHeaders} (with its {@link UpstreamRequestHeaders.Target} stage) against the oracle
 * {@link LegacyHeaderPipeline}: the old {@code IdentityHeadersFilter} (a copy of the request headers
 * on the exchange, then removals and sets), then Spring Cloud Gateway's real header filters and the
 * old {@code ForwardedHeadersWriter}, in the order the running gateway had them. For every request
 * the upstream gets the same headers (names as spelled, order, values), the same URI; responses get
 * the same headers and trailers; and what the filters after these see of the request is the same
 * where one of them reads it (the gRPC content type).
 */
class UpstreamRequestHeadersTest {

    private static final InetSocketAddress CLIENT = address(203, 0, 113, 7);
    private static final InetSocketAddress PROXY = address(10, 1, 2, 3);
    private static final TrustedProxies PROXIES = new TrustedProxies(List.of("10.0.0.0/8"));

    /** Canonical spellings of every name the rules treat specially, and a few they do not. */
    private static final List<String> NAMES = List.of(
            "Host",
            "Connection",
            "Keep-Alive",
            "Transfer-Encoding",
            "Content-Length",
            "Content-Type",
            "TE",
            "Trailer",
            "Upgrade",
            "Proxy-Authorization",
            "Proxy-Authenticate",
            "Proxy-Connection",
            "X-Application-Context",
            "x-api-key",
            "Authorization",
            "X-Workspace-Id",
            "X-Request-Id",
            "X-PowerPost-Account-Id",
            "X-PowerPost-Key-Id",
            "X-PowerPost-Scopes",
            "X-PowerPost-Key-Mode",
            "X-PowerPost-",
            "X-PowerPost-Admin",
            "X-PowerPostX",
            "X-Forwarded-For",
            "X-Forwarded-Host",
            "X-Forwarded-Proto",
            "X-Forwarded-Port",
            "X-Forwarded-Prefix",
            "X-Forwarded-Server",
            "X-Forwarded",
            "Forwarded",
            "X-Real-IP",
            "X-HTTP-Method-Override",
            "X-HTTP-Method",
            "X-Method-Override",
            "X_Workspace_Id",
            "X-PowerPost_Scopes",
            "Accept",
            "Cookie",
            "X-Custom",
            "grpc-status",
            "grpc-message",
            "HTTP2-Settings",
            "User-Agent");

    // ================================================================ against the oracle

    /** A request and what the gateway around the two pipelines holds for it. */
    record Case(
            List<String[]> headers,
            String query,
            boolean authenticated,
            boolean workspaceRoute,
            @Nullable String requestId,
            int flags,
            int hopByHop,
            List<String[]> responseHeaders) {

        boolean fromProxy() {
            return (flags & 1) != 0;
        }

        /** The request reaches the filters already copied once (as after RequestHygieneCheck declines h2c). */
        boolean preMutated() {
            return (flags & 2) != 0;
        }

        boolean grpc() {
            return (flags & 4) == 0;
        }

        /** Spring's headers rather than Netty's (only for names Netty would refuse). */
        boolean spring() {
            return (flags & 8) != 0;
        }

        /** Authenticated with a test key rather than a live one. */
        boolean testKey() {
            return (flags & 16) != 0;
        }

        @Override
        public String toString() {
            return "Case[headers=" + text(headers) + ", query=" + query + ", authenticated=" + authenticated
                    + ", workspaceRoute=" + workspaceRoute + ", requestId=" + requestId + ", fromProxy=" + fromProxy()
                    + ", preMutated=" + preMutated() + ", grpc=" + grpc() + ", spring=" + spring() + ", testKey="
                    + testKey() + ", hopByHop="
                    + hopByHop + ", response=" + text(responseHeaders) + "]";
        }

        private static String text(List<String[]> lines) {
            return lines.stream().map(l -> l[0] + ": " + l[1]).toList().toString();
        }
    }

    /** Everything observable: the upstream's headers and URI, the gRPC reading of the request later, the response. */
    record Outcome(
            List<String> upstream, URI uri, boolean grpcRequestLater, List<String> response, List<String> trailers) {}

    @Property(tries = 4000)
    void sameUpstreamRequestAndResponseAsTheOldPipeline(@ForAll("nettyCases") Case c) {
        assertThat(current(c)).as("%s", c).isEqualTo(legacy(c));
    }

    /** Names outside ASCII reach no filter (Netty refuses them), but if they did the result would be the same. */
    @Property(tries = 1500)
    void sameForNamesNettyWouldRefuse(@ForAll("springCases") Case c) {
        assertThat(current(c)).as("%s", c).isEqualTo(legacy(c));
    }

    @Property(tries = 3000)
    void connectionNamesAreReadAsTheOldSplitAndTrim(@ForAll("connectionValues") List<String> values) {
        Set<String> old = new HashSet<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")) {
                    old.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        assertThat(UpstreamRequestHeaders.nominated(values)).isEqualTo(old);
    }

    private static Outcome legacy(Case c) {
        List<HttpHeadersFilter> filters = LegacyHeaderPipeline.filters(hopByHop(c.hopByHop()), c.grpc());
        LegacyHeaderPipeline.Identity identity = new LegacyHeaderPipeline.Identity(PROXIES);
        return run(c, filters, exchange -> passed(exchange, identity::filter));
    }

    private static Outcome current(Case c) {
        List<HttpHeadersFilter> filters =
                new UpstreamRequestHeaders(gatewayFilters(hopByHop(c.hopByHop()), c.grpc()), PROXIES).routingFilters();
        UpstreamRequestHeaders.Target target = new UpstreamRequestHeaders.Target();
        // the stage runs on requests that passed the checks; any other never gets this far (RouteCheck refuses it)
        return run(
                c,
                filters,
                exchange -> RequestState.of(exchange).key() == null
                        ? exchange
                        : passed(exchange, (e, chain) -> OneCheck.run(target, e, chain)));
    }

    private interface Filter {
        Mono<Void> filter(
                ServerWebExchange exchange, org.springframework.cloud.gateway.filter.GatewayFilterChain chain);
    }

    private static ServerWebExchange passed(ServerWebExchange exchange, Filter filter) {
        AtomicReference<ServerWebExchange> passed = new AtomicReference<>();
        filter.filter(exchange, e -> {
                    passed.set(e);
                    return Mono.empty();
                })
                .block();
        return passed.get();
    }

    /** As Spring Cloud Gateway's NettyRoutingFilter does it: request headers, then (later) response headers. */
    private static Outcome run(
            Case c, List<HttpHeadersFilter> filters, Function<ServerWebExchange, ServerWebExchange> identity) {
        HttpHeaders requestHeaders = c.spring()
                ? HeaderExchanges.spring(c.headers())
                : HeaderExchanges.requestHeaders(HeaderExchanges.netty(c.headers()));
        InetSocketAddress peer = c.fromProxy() ? PROXY : CLIENT;
        ServerWebExchange exchange = c.authenticated()
                ? HeaderExchanges.allowed(
                        requestHeaders,
                        c.query(),
                        c.workspaceRoute(),
                        c.requestId(),
                        peer,
                        c.testKey() ? HeaderExchanges.TEST_KEY : HeaderExchanges.KEY)
                : HeaderExchanges.exchange(requestHeaders, "/w" + c.query(), peer);
        if (c.preMutated()) {
            exchange = exchange.mutate()
                    .request(r -> r.headers(h -> {
                        h.remove(HttpHeaders.UPGRADE);
                        h.remove("HTTP2-Settings");
                        h.remove(HttpHeaders.CONNECTION);
                    }))
                    .build();
        }
        ServerWebExchange later = identity.apply(exchange);
        HttpHeaders upstream = HttpHeadersFilter.filterRequest(filters, later);
        HttpHeaders response = new HttpHeaders();
        c.responseHeaders().forEach(line -> response.add(line[0], line[1]));
        HttpHeaders responseOut = HttpHeadersFilter.filter(filters, response, later, HttpHeadersFilter.Type.RESPONSE);
        return new Outcome(
                HeaderExchanges.lines(upstream),
                later.getRequest().getURI(),
                StringUtils.startsWithIgnoreCase(
                        later.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE), "application/grpc"),
                HeaderExchanges.lines(responseOut),
                HeaderExchanges.trailers(later));
    }

    /** Spring Cloud Gateway's header filter beans, in the running gateway's order, without the old writer. */
    private static List<HttpHeadersFilter> gatewayFilters(RemoveHopByHopHeadersFilter hopByHop, boolean grpc) {
        List<HttpHeadersFilter> filters = new ArrayList<>(LegacyHeaderPipeline.filters(hopByHop, grpc));
        filters.removeIf(f -> f instanceof LegacyHeaderPipeline.ForwardedWriter);
        return filters;
    }

    /** 0: the default set; 1 and 2: configured sets naming the gateway's own headers, without te, ... */
    private static RemoveHopByHopHeadersFilter hopByHop(int variant) {
        RemoveHopByHopHeadersFilter filter = new RemoveHopByHopHeadersFilter();
        if (variant == 1) {
            Set<String> names = new HashSet<>(RemoveHopByHopHeadersFilter.HEADERS_REMOVED_ON_REQUEST);
            names.remove("te");
            names.addAll(List.of("X-Request-Id", "content-length", "X-Custom"));
            filter.setHeaders(names);
        } else if (variant == 2) {
            filter.setHeaders(Set.of(
                    "connection", "X-Workspace-Id", "x-powerpost-scopes", "Content-Type", "x-forwarded-for", "Accept"));
        }
        return filter;
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<Case> nettyCases() {
        return cases(tokenName(), 0);
    }

    @Provide
    Arbitrary<Case> springCases() {
        Arbitrary<String> odd = Combinators.combine(
                        anyCase(Arbitraries.of(NAMES)),
                        Arbitraries.integers().between(0, 40),
                        Arbitraries.of('\u212A', '\u017F', '\u0131', '\u0130', '\u00e9', '\u00c9', '\u00df', '\u00b5'))
                .as((name, at, c) -> name.isEmpty()
                        ? String.valueOf(c)
                        : name.substring(0, at % name.length()) + c + name.substring(at % name.length() + 1));
        return cases(
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, tokenName()), net.jqwik.api.Tuple.of(1, odd)), 8);
    }

    private Arbitrary<Case> cases(Arbitrary<String> names, int forcedFlags) {
        Arbitrary<List<String[]>> headers = line(names)
                .list()
                .ofMaxSize(14)
                .flatMap(lines -> Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(5, Arbitraries.just(lines)),
                        net.jqwik.api.Tuple.of(2, nominating(lines)),
                        net.jqwik.api.Tuple.of(1, chunkedWithLength(lines))));
        Arbitrary<List<String[]>> response =
                line(anyCase(Arbitraries.of(NAMES))).list().ofMaxSize(6);
        Arbitrary<String> query = Arbitraries.of(
                "",
                "?",
                "?a=1",
                "?_method=PUT",
                "?a=1&_method=DELETE&b=2",
                "?%5Fmethod=x",
                "?page=2&sort=desc",
                "?_METHOD");
        Arbitrary<Boolean> authenticated =
                Arbitraries.frequency(net.jqwik.api.Tuple.of(9, true), net.jqwik.api.Tuple.of(1, false));
        Arbitrary<String> requestId =
                Arbitraries.of("3f9c2a7d51e84b06a9d1c0e2f4b7a815", "client-1").injectNull(0.1);
        return Combinators.combine(
                        headers,
                        query,
                        authenticated,
                        Arbitraries.of(true, false),
                        requestId,
                        Arbitraries.integers().between(0, 31),
                        Arbitraries.integers().between(0, 2),
                        response)
                .as((h, q, a, w, r, flags, hop, resp) -> new Case(h, q, a, w, r, flags | forcedFlags, hop, resp));
    }

    /** The lines, and a {@code Connection} header naming some of them (or of the names the rules single out). */
    private static Arbitrary<List<String[]>> nominating(List<String[]> lines) {
        List<String> candidates =
                new ArrayList<>(lines.stream().map(line -> line[0]).toList());
        candidates.addAll(List.of(
                "Transfer-Encoding",
                "Content-Type",
                "Content-Length",
                "X-Workspace-Id",
                "X-Request-Id",
                "x-powerpost-key-id",
                "Host"));
        return Combinators.combine(
                        Arbitraries.of(candidates).list().ofMinSize(1).ofMaxSize(4),
                        Arbitraries.integers().between(0, lines.size()))
                .as((named, at) -> {
                    List<String[]> copy = new ArrayList<>(lines);
                    copy.add(at, new String[] {"Connection", String.join(", ", named)});
                    return copy;
                });
    }

    /** The lines with a chunked body that also states a length, perhaps with a Connection header naming either. */
    private static Arbitrary<List<String[]>> chunkedWithLength(List<String[]> lines) {
        return Arbitraries.of("", "transfer-encoding", "Content-Length", "Transfer-Encoding, keep-alive")
                .map(connection -> {
                    List<String[]> copy = new ArrayList<>(lines);
                    copy.add(new String[] {"Transfer-Encoding", "chunked"});
                    copy.add(new String[] {"Content-Length", "12"});
                    if (!connection.isEmpty()) {
                        copy.add(new String[] {"Connection", connection});
                    }
                    return copy;
                });
    }

    private Arbitrary<String[]> line(Arbitrary<String> names) {
        return names.flatMap(name -> value(name).map(value -> new String[] {name, value}));
    }

    /** Names: the special ones in any spelling, made-up tokens, and made-up names under the special prefixes. */
    private Arbitrary<String> tokenName() {
        Arbitrary<String> token = Arbitraries.strings()
                .withChars("abcXYZ-_019!#$%&'*+.^`|~")
                .ofMinLength(1)
                .ofMaxLength(10);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, anyCase(Arbitraries.of(NAMES))),
                net.jqwik.api.Tuple.of(2, token),
                net.jqwik.api.Tuple.of(
                        2,
                        anyCase(Combinators.combine(
                                        Arbitraries.of(
                                                "X-PowerPost-",
                                                "X-Forwarded-",
                                                "X-Workspace-Id",
                                                "Content-Length",
                                                "X-Request-Id"),
                                        token)
                                .as(String::concat))));
    }

    private static Arbitrary<String> anyCase(Arbitrary<String> names) {
        return names.flatMap(name -> Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(name)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(name.toLowerCase(Locale.ROOT))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(name.toUpperCase(Locale.ROOT))),
                net.jqwik.api.Tuple.of(1, Arbitraries.randomValue(random -> {
                    StringBuilder mixed = new StringBuilder(name.length());
                    for (char ch : name.toCharArray()) {
                        mixed.append(random.nextBoolean() ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
                    }
                    return mixed.toString();
                }))));
    }

    private Arbitrary<String> value(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "connection" -> connectionValue();
            case "content-type" ->
                Arbitraries.of(
                        "application/grpc",
                        "application/grpc+proto",
                        "APPLICATION/GRPC",
                        " application/grpc",
                        "application/json",
                        "text/plain");
            case "transfer-encoding" -> Arbitraries.of("chunked", " Chunked ", "gzip, chunked", "identity", "CHUNKED");
            case "content-length" -> Arbitraries.of("0", "12");
            case "x-forwarded-for" -> Arbitraries.of("1.2.3.4", "10.0.0.9, 1.2.3.4", "unknown");
            case "x-workspace-id" -> Arbitraries.of("ws_1", "ws_2");
            case "x-request-id" -> Arbitraries.of("client-1", "bad id");
            case "host" -> Arbitraries.of("gateway.test", "evil.example:81");
            case "grpc-status" -> Arbitraries.of("0", "13", "");
            default -> Arbitraries.strings().withChars("abc XYZ,;=-_/0").ofMaxLength(12);
        };
    }

    @Provide
    Arbitrary<List<String>> connectionValues() {
        return connectionValue().list().ofMinSize(1).ofMaxSize(3);
    }

    private Arbitrary<String> connectionValue() {
        Arbitrary<String> token = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, anyCase(Arbitraries.of(NAMES))),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("close", "keep-alive", "Keep-Alive", "CLOSE", "", " ", "\t")),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.strings().withChars("abXY-_ ").ofMaxLength(6)));
        Arbitrary<String> padded = Combinators.combine(Arbitraries.of("", " ", "  "), token, Arbitraries.of("", " "))
                .as((before, t, after) -> before + t + after);
        return padded.list().ofMinSize(1).ofMaxSize(4).map(tokens -> String.join(",", tokens));
    }

    // ================================================================ examples: what the upstream gets

    private static final String SCOPES = "posts:read posts:write";
    private static final String RID = "3f9c2a7d51e84b06a9d1c0e2f4b7a815";

    private static List<String> upstream(List<String[]> lines, String query, boolean workspaceRoute) {
        Case c = new Case(lines, query, true, workspaceRoute, RID, 0, 0, List.of());
        Outcome outcome = current(c);
        assertThat(outcome).as("against the old pipeline").isEqualTo(legacy(c));
        return outcome.upstream();
    }

    private static List<String[]> lines(String... nameValue) {
        List<String[]> lines = new ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            lines.add(new String[] {nameValue[i], nameValue[i + 1]});
        }
        return lines;
    }

    @Example
    void typicalCall() {
        assertThat(upstream(
                        lines(
                                "Host",
                                "api.powerpost.ai",
                                "User-Agent",
                                "sdk/1",
                                "Accept",
                                "application/json",
                                "x-api-key",
                                "pp_live_secret",
                                "X-Workspace-Id",
                                "ws_1",
                                "Content-Type",
                                "application/json"),
                        "",
                        true))
                .containsExactly(
                        "Host: [api.powerpost.ai]",
                        "User-Agent: [sdk/1]",
                        "Accept: [application/json]",
                        "X-Workspace-Id: [ws_1]",
                        "Content-Type: [application/json]",
                        "X-PowerPost-Account-Id: [acct_1]",
                        "X-PowerPost-Key-Id: [key_1]",
                        "X-PowerPost-Scopes: [" + SCOPES + "]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [" + RID + "]",
                        "X-Forwarded-For: [203.0.113.7]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [api.powerpost.ai]");
    }

    @Example
    void aTestKeysUpstreamIsToldTestWhateverModeTheClientClaims() {
        Case c = new Case(
                lines(
                        "X-PowerPost-Key-Mode",
                        "live",
                        "x-powerpost-key-mode",
                        "live",
                        "X_PowerPost_Key_Mode",
                        "live",
                        "Connection",
                        "X-PowerPost-Key-Mode"),
                "",
                true,
                false,
                RID,
                16,
                0,
                List.of());
        Outcome outcome = current(c);
        assertThat(outcome).as("against the old pipeline").isEqualTo(legacy(c));
        assertThat(outcome.upstream())
                .containsExactly(
                        "X-PowerPost-Account-Id: [acct_1]",
                        "X-PowerPost-Key-Id: [key_1]",
                        "X-PowerPost-Scopes: [" + SCOPES + "]",
                        "X-PowerPost-Key-Mode: [test]",
                        "X-Request-Id: [" + RID + "]",
                        "X-Forwarded-For: [203.0.113.7]",
                        "X-Forwarded-Proto: [http]");
    }

    @Example
    void credentialsSpoofedIdentityUnderscoresOverridesAndForwardingNeverPass() {
        assertThat(upstream(
                        lines(
                                "Authorization",
                                "Bearer pp_live_secret",
                                "X-POWERPOST-ACCOUNT-ID",
                                "victim",
                                "x-powerpost-admin",
                                "true",
                                "X_PowerPost_Key_Id",
                                "k",
                                "X-HTTP-Method-Override",
                                "DELETE",
                                "x-forwarded-for",
                                "1.2.3.4",
                                "X-Forwarded-Server",
                                "s",
                                "Forwarded",
                                "for=1.2.3.4",
                                "X-Real-IP",
                                "1.2.3.4",
                                "X-Workspace-Id",
                                "ws_1"),
                        "",
                        false))
                .containsExactly(
                        "X-PowerPost-Account-Id: [acct_1]",
                        "X-PowerPost-Key-Id: [key_1]",
                        "X-PowerPost-Scopes: [" + SCOPES + "]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [" + RID + "]",
                        "X-Forwarded-For: [203.0.113.7]",
                        "X-Forwarded-Proto: [http]");
    }

    @Example
    void connectionCannotRemoveTheGatewaysHeadersThoseItNamesGoLast() {
        assertThat(upstream(
                        lines(
                                "X-Workspace-Id",
                                "ws_1",
                                "X-Request-Id",
                                "client",
                                "X-Foo",
                                "1",
                                "Keep-Alive",
                                "5",
                                "Connection",
                                "X-Workspace-Id, X-PowerPost-Scopes, X-Request-Id, x-foo, keep-alive",
                                "Zzz",
                                "z"),
                        "",
                        true))
                .containsExactly(
                        "Zzz: [z]",
                        "X-Workspace-Id: [ws_1]",
                        "X-PowerPost-Account-Id: [acct_1]",
                        "X-PowerPost-Key-Id: [key_1]",
                        "X-PowerPost-Scopes: [" + SCOPES + "]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [" + RID + "]",
                        "X-Forwarded-For: [203.0.113.7]",
                        "X-Forwarded-Proto: [http]");
    }

    @Example
    void aHeaderInSeveralSpellingsKeepsTheValuesTheFrameworksCopyGaveIt() {
        assertThat(upstream(lines("Accept", "a", "accept", "b", "x-workspace-id", "ws_1", "ACCEPT", "c"), "", true))
                .containsExactly(
                        "Accept: [a, b, c, a, b, c, a, b, c]",
                        "X-Workspace-Id: [ws_1]",
                        "X-PowerPost-Account-Id: [acct_1]",
                        "X-PowerPost-Key-Id: [key_1]",
                        "X-PowerPost-Scopes: [" + SCOPES + "]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [" + RID + "]",
                        "X-Forwarded-For: [203.0.113.7]",
                        "X-Forwarded-Proto: [http]");
    }

    @Example
    void grpcGetsTeTrailersAfterTheForwardingHeaders() {
        assertThat(upstream(lines("Content-Type", "application/grpc+proto", "TE", "gzip"), "", false))
                .endsWith("X-Forwarded-Proto: [http]", "te: [trailers]")
                .contains("Content-Type: [application/grpc+proto]");
    }

    @Example
    void contentLengthGoesWithChunkedUnlessConnectionNamedTransferEncoding() {
        assertThat(upstream(lines("Transfer-Encoding", "chunked", "Content-Length", "12"), "", false))
                .noneMatch(line -> line.startsWith("Content-Length") || line.startsWith("Transfer-Encoding"));
        assertThat(upstream(
                        lines(
                                "Transfer-Encoding",
                                "chunked",
                                "Content-Length",
                                "12",
                                "Connection",
                                "transfer-encoding"),
                        "",
                        false))
                .contains("Content-Length: [12]")
                .noneMatch(line -> line.startsWith("Transfer-Encoding"));
    }

    @Example
    void methodOverrideQueryIsRemovedOnTheExchange() {
        Case c = new Case(lines("X-Workspace-Id", "ws_1"), "?a=1&_method=DELETE&b=2", true, true, RID, 0, 0, List.of());
        assertThat(current(c).uri()).isEqualTo(URI.create("http://gateway.test/w?a=1&b=2"));
        assertThat(current(c)).isEqualTo(legacy(c));
    }

    @Example
    void aRequestTheIdentityFilterDidNotDecideOnGetsSpringCloudGatewaysFilters() {
        Case c = new Case(
                lines(
                        "x-forwarded-for",
                        "1.2.3.4",
                        "Connection",
                        "X-Foo",
                        "X-Foo",
                        "1",
                        "TE",
                        "trailers",
                        "X-PowerPost-Account-Id",
                        "spoof",
                        "Content-Type",
                        "application/grpc"),
                "",
                false,
                true,
                RID,
                0,
                0,
                List.of());
        assertThat(current(c).upstream())
                .containsExactly(
                        "X-PowerPost-Account-Id: [spoof]", "Content-Type: [application/grpc]", "te: [trailers]");
        assertThat(current(c)).isEqualTo(legacy(c));
    }

    // ================================================================ what it replaces, and refuses to

    private static final HttpHeadersFilter UNKNOWN = (input, exchange) -> input;

    @Example
    void routingFiltersAreThisThenSpringCloudGatewaysResponseFiltersInTheirOrder() {
        RemoveHopByHopHeadersFilter hopByHop = new RemoveHopByHopHeadersFilter();
        List<HttpHeadersFilter> gateway = gatewayFilters(hopByHop, true);
        UpstreamRequestHeaders headers = new UpstreamRequestHeaders(gateway, PROXIES);
        List<HttpHeadersFilter> routing = headers.routingFilters();
        assertThat(routing).hasSize(3);
        assertThat(routing.get(0)).isSameAs(headers);
        assertThat(routing.get(1)).isInstanceOf(GRPCResponseHeadersFilter.class);
        assertThat(routing.get(2)).isEqualTo(new UpstreamRequestHeaders.ResponseOnly(hopByHop));
        assertThat(routing)
                .filteredOn(f -> f.supports(HttpHeadersFilter.Type.REQUEST))
                .containsExactly(headers);
        assertThat(routing)
                .filteredOn(f -> f.supports(HttpHeadersFilter.Type.RESPONSE))
                .hasSize(2);
    }

    @Example
    void worksWithoutTheGrpcRequestFilter() {
        assertThatNoException()
                .isThrownBy(() ->
                        new UpstreamRequestHeaders(gatewayFilters(new RemoveHopByHopHeadersFilter(), false), PROXIES));
    }

    @Example
    void refusesARequestHeaderFilterItDoesNotKnow() {
        List<HttpHeadersFilter> filters = new ArrayList<>(gatewayFilters(new RemoveHopByHopHeadersFilter(), true));
        filters.add(2, UNKNOWN);
        assertThatThrownBy(() -> new UpstreamRequestHeaders(filters, PROXIES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not know the request header filter");
        List<HttpHeadersFilter> twice = new ArrayList<>(gatewayFilters(new RemoveHopByHopHeadersFilter(), true));
        twice.add(new RemoveHopByHopHeadersFilter());
        assertThatThrownBy(() -> new UpstreamRequestHeaders(twice, PROXIES)).isInstanceOf(IllegalStateException.class);
    }

    @Example
    void aResponseOnlyFilterItDoesNotKnowIsKept() {
        HttpHeadersFilter responseOnly = new HttpHeadersFilter() {
            @Override
            public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
                return input;
            }

            @Override
            public boolean supports(Type type) {
                return type == Type.RESPONSE;
            }
        };
        List<HttpHeadersFilter> filters = new ArrayList<>(gatewayFilters(new RemoveHopByHopHeadersFilter(), true));
        filters.add(0, responseOnly);
        assertThat(new UpstreamRequestHeaders(filters, PROXIES).routingFilters().get(1))
                .isSameAs(responseOnly);
    }

    @Example
    void refusesWhenOneItReplacesIsMissing() {
        for (Class<?> missing : List.of(
                RemoveForwardedHeadersFilter.class,
                RemoveXForwardedHeadersFilter.class,
                TransferEncodingNormalizationHeadersFilter.class,
                RemoveHopByHopHeadersFilter.class)) {
            List<HttpHeadersFilter> filters = new ArrayList<>(gatewayFilters(new RemoveHopByHopHeadersFilter(), true));
            filters.removeIf(missing::isInstance);
            assertThatThrownBy(() -> new UpstreamRequestHeaders(filters, PROXIES))
                    .as("without %s", missing.getSimpleName())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must all be present");
        }
    }

    @Example
    void refusesAnOrderItDoesNotReproduce() {
        RemoveHopByHopHeadersFilter last = new RemoveHopByHopHeadersFilter();
        last.setOrder(Ordered.LOWEST_PRECEDENCE);
        assertThatThrownBy(() -> new UpstreamRequestHeaders(gatewayFilters(last, true), PROXIES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ordered");

        RemoveHopByHopHeadersFilter hopByHop = new RemoveHopByHopHeadersFilter();
        List<HttpHeadersFilter> grpcFirst = new ArrayList<>(List.of(
                new RemoveForwardedHeadersFilter(),
                new RemoveXForwardedHeadersFilter(),
                new TransferEncodingNormalizationHeadersFilter(),
                new GRPCRequestHeadersFilter(),
                hopByHop));
        assertThatThrownBy(() -> new UpstreamRequestHeaders(grpcFirst, PROXIES))
                .isInstanceOf(IllegalStateException.class);

        List<HttpHeadersFilter> normalisationLast = new ArrayList<>(List.of(
                new RemoveForwardedHeadersFilter(),
                new RemoveXForwardedHeadersFilter(),
                hopByHop,
                new TransferEncodingNormalizationHeadersFilter()));
        assertThatThrownBy(() -> new UpstreamRequestHeaders(normalisationLast, PROXIES))
                .isInstanceOf(IllegalStateException.class);
    }

    @Example
    void gatewaysOwnRoutingFilterMustBeSwitchedOff() {
        assertThatThrownBy(() -> WebConfiguration.requireGatewaysOwnRoutingFilterOff(new MockEnvironment()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(WebConfiguration.NETTY_ROUTING_ENABLED);
        assertThatThrownBy(() -> WebConfiguration.requireGatewaysOwnRoutingFilterOff(
                        new MockEnvironment().withProperty(WebConfiguration.NETTY_ROUTING_ENABLED, "true")))
                .isInstanceOf(IllegalStateException.class);
        assertThatNoException()
                .isThrownBy(() -> WebConfiguration.requireGatewaysOwnRoutingFilterOff(
                        new MockEnvironment().withProperty(WebConfiguration.NETTY_ROUTING_ENABLED, "FALSE")));
    }

    @Example
    void nettyRefusesHeaderNamesThatAreNotTokens() {
        assertThatThrownBy(() -> HeaderExchanges.netty(lines("X-\u00e9", "v")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderExchanges.netty(lines("X-\u212Aey", "v")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static InetSocketAddress address(int a, int b, int c, int d) {
        try {
            return new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}), 51_234);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
