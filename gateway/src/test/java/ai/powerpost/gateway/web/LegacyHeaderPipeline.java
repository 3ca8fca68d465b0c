package ai.powerpost.gateway.web;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.routing.RouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.headers.GRPCRequestHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.GRPCResponseHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.TransferEncodingNormalizationHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * The oracle: the gateway's request header handling as it was before {@link UpstreamRequestHeaders}
 * (commit 59bc872), kept verbatim apart from names. {@link Identity} is the old
 * {@code IdentityHeadersFilter} (a copy of every request header, then removals and sets), and
 * {@link ForwardedWriter} the old {@code ForwardedHeadersWriter}, which ran as the last of Spring
 * Cloud Gateway's request header filters. {@link #filters} is the list Spring Cloud Gateway's
 * routing filter had, in the order the running gateway had it.
 */
final class LegacyHeaderPipeline {

    private LegacyHeaderPipeline() {}

    /**
     * Spring Cloud Gateway's header filters with the old writer, in the order of the running gateway:
     * RemoveForwarded (0), RemoveXForwarded (0), GRPCResponse (0), TransferEncodingNormalization
     * (1000), RemoveHopByHop (LOWEST - 1), ForwardedHeadersWriter and GRPCRequest (both LOWEST; the
     * gateway's component registered first).
     */
    static List<HttpHeadersFilter> filters(RemoveHopByHopHeadersFilter hopByHop, boolean grpc) {
        List<HttpHeadersFilter> filters = new ArrayList<>(List.of(
                new RemoveForwardedHeadersFilter(),
                new RemoveXForwardedHeadersFilter(),
                new GRPCResponseHeadersFilter(),
                new TransferEncodingNormalizationHeadersFilter(),
                hopByHop,
                new ForwardedWriter()));
        if (grpc) {
            filters.add(new GRPCRequestHeadersFilter());
        }
        return filters;
    }

    /** The old {@code IdentityHeadersFilter.filter}. */
    static final class Identity {

        private static final List<String> METHOD_OVERRIDES =
                List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");
        private static final List<String> FORWARDING = List.of(
                "Forwarded",
                "X-Forwarded-For",
                "X-Forwarded-Host",
                "X-Forwarded-Proto",
                "X-Forwarded-Port",
                "X-Forwarded-Prefix",
                "X-Real-IP");

        private final TrustedProxies proxies;

        Identity(TrustedProxies proxies) {
            this.proxies = proxies;
        }

        Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
            RequestState state = RequestState.of(exchange);
            KeyRecord key = state.key();
            if (key == null || !(state.routeMatch() instanceof RouteMatch.Found found)) {
                return chain.filter(exchange);
            }
            String requestId = state.requestId();
            boolean workspaceChecked = found.route().workspaceRequired();
            ServerHttpRequest original = exchange.getRequest();
            String forwardedFor = forwardedFor(original);
            String host = original.getHeaders().getFirst(HttpHeaders.HOST);
            String workspaceId = workspaceChecked ? original.getHeaders().getFirst(GatewayHeaders.WORKSPACE_ID) : null;
            String rawQuery = original.getURI().getRawQuery();
            String query = rawQuery == null ? null : UpstreamRequestHeaders.withoutMethodOverride(rawQuery);
            exchange.getAttributes()
                    .put(
                            ForwardedWriter.ATTRIBUTE,
                            new ForwardedWriter.Forwarded(
                                    forwardedFor,
                                    original.getURI().getScheme() == null
                                            ? "http"
                                            : original.getURI().getScheme(),
                                    host));
            ServerWebExchange rewritten = exchange.mutate()
                    .request(request -> {
                        if (rawQuery != null && !rawQuery.equals(query)) {
                            request.uri(UriComponentsBuilder.fromUri(original.getURI())
                                    .replaceQuery(query.isEmpty() ? null : query)
                                    .build(true)
                                    .toUri());
                        }
                        request.headers(headers -> {
                            removeConnectionNominated(headers);
                            removeUnderscoreNames(headers);
                            METHOD_OVERRIDES.forEach(headers::remove);
                            FORWARDING.forEach(headers::remove);
                            headers.remove("x-api-key");
                            headers.remove(HttpHeaders.AUTHORIZATION);
                            removePowerPostHeaders(headers);
                            if (workspaceId != null) {
                                headers.set(GatewayHeaders.WORKSPACE_ID, workspaceId);
                            } else {
                                headers.remove(GatewayHeaders.WORKSPACE_ID);
                            }
                            headers.set(GatewayHeaders.ACCOUNT_ID, key.accountId());
                            headers.set(GatewayHeaders.KEY_ID, key.id());
                            headers.set(GatewayHeaders.SCOPES, key.scopesHeader());
                            headers.set(GatewayHeaders.KEY_MODE, key.mode().wireName());
                            if (requestId != null) {
                                headers.set(GatewayHeaders.REQUEST_ID, requestId);
                            }
                        });
                    })
                    .build();
            return chain.filter(rewritten);
        }

        private String forwardedFor(ServerHttpRequest request) {
            String peer = request.getRemoteAddress() == null
                            || request.getRemoteAddress().getAddress() == null
                    ? "unknown"
                    : request.getRemoteAddress().getAddress().getHostAddress();
            List<String> chain = request.getHeaders().get("X-Forwarded-For");
            if (chain == null || chain.isEmpty() || !proxies.peerIsTrusted(request)) {
                return peer;
            }
            return String.join(", ", chain) + ", " + peer;
        }

        static void removeConnectionNominated(HttpHeaders headers) {
            List<String> connection = headers.get(HttpHeaders.CONNECTION);
            if (connection == null) {
                return;
            }
            for (String value : connection) {
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")) {
                        headers.remove(name);
                    }
                }
            }
            headers.remove(HttpHeaders.CONNECTION);
        }

        private static void removeUnderscoreNames(HttpHeaders headers) {
            List<String> smuggled = new ArrayList<>();
            for (String name : headers.headerNames()) {
                if (name.indexOf('_') >= 0) {
                    smuggled.add(name);
                }
            }
            smuggled.forEach(headers::remove);
        }

        private static void removePowerPostHeaders(HttpHeaders headers) {
            String prefix = GatewayHeaders.POWERPOST_PREFIX.toLowerCase(Locale.ROOT);
            List<String> spoofed = new ArrayList<>();
            for (String name : headers.headerNames()) {
                if (name.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    spoofed.add(name);
                }
            }
            spoofed.forEach(headers::remove);
        }
    }

    /** The old {@code ForwardedHeadersWriter}. */
    static final class ForwardedWriter implements HttpHeadersFilter {

        static final String ATTRIBUTE = ForwardedWriter.class.getName();

        record Forwarded(
                String forwardedFor, String proto, @Nullable String host) {}

        @Override
        public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
            Forwarded forwarded = exchange.getAttribute(ATTRIBUTE);
            if (forwarded == null) {
                return input;
            }
            HttpHeaders headers = new HttpHeaders();
            headers.putAll(input);
            headers.set("X-Forwarded-For", forwarded.forwardedFor());
            headers.set("X-Forwarded-Proto", forwarded.proto());
            if (forwarded.host() != null) {
                headers.set("X-Forwarded-Host", forwarded.host());
            }
            return headers;
        }

        @Override
        public boolean supports(Type type) {
            return type == Type.REQUEST;
        }
    }
}
