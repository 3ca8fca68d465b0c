package ai.powerpost.gateway.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.auth.ApiKeyExtractor;
import ai.powerpost.gateway.auth.AuthContext;
import ai.powerpost.gateway.routing.RouteMatch;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The last of our filters: rewrites the request headers the backend trusts.
 * <ul>
 * <li>removes the credentials ({@code x-api-key}, {@code Authorization});</li>
 * <li>removes every client-sent {@code X-PowerPost-*} header, then sets
 *     {@code X-PowerPost-Account-Id}, {@code X-PowerPost-Key-Id} and {@code X-PowerPost-Scopes}
 *     from the verified key, and {@code X-Request-Id};</li>
 * <li>passes {@code X-Workspace-Id} only on routes that checked it, exactly as validated;</li>
 * <li>drops every header whose name has an underscore;</li>
 * <li>removes the headers a {@code Connection} header names, and the {@code Connection} header
 *     itself, here: Spring Cloud Gateway's hop-by-hop filter runs after this one and would
 *     otherwise let a client strip the identity headers just set;</li>
 * <li>removes method-override headers ({@code X-HTTP-Method-Override} and kin) and
 *     {@code _method} query parameters: the method checked is the method sent;</li>
 * <li>replaces the forwarding headers: client-sent {@code Forwarded} / {@code X-Forwarded-*} /
 *     {@code X-Real-IP} are dropped, and the values the upstream gets are decided here:
 *     {@code X-Forwarded-For} (the chain only when the peer is a trusted proxy, then the peer),
 *     {@code -Proto} and {@code -Host}; {@link ForwardedHeadersWriter} writes them as the last of
 *     Spring Cloud Gateway's header filters, after its own removal of {@code X-Forwarded-*}.</li>
 * </ul>
 */
@Component
public final class IdentityHeadersFilter implements GlobalFilter, Ordered {

    private static final List<String> METHOD_OVERRIDES =
            List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");
    private static final List<String> FORWARDING = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
            "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-IP");

    private final TrustedProxies proxies;

    public IdentityHeadersFilter(TrustedProxies proxies) {
        this.proxies = proxies;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        AuthContext auth = AuthContext.of(exchange);
        RouteMatch match = exchange.getAttribute(RouteMatch.ATTRIBUTE);
        if (auth == null || !(match instanceof RouteMatch.Found found)) {
            return chain.filter(exchange);
        }
        String requestId = exchange.getAttribute(RequestIdFilter.ATTRIBUTE);
        boolean workspaceChecked = found.route().workspaceRequired();
        ServerHttpRequest original = exchange.getRequest();
        String forwardedFor = forwardedFor(original);
        String host = original.getHeaders().getFirst(HttpHeaders.HOST);
        String workspaceId = workspaceChecked ? original.getHeaders().getFirst(GatewayHeaders.WORKSPACE_ID) : null;
        String rawQuery = original.getURI().getRawQuery();
        String query = rawQuery == null ? null : withoutMethodOverride(rawQuery);
        exchange.getAttributes().put(ForwardedHeadersWriter.ATTRIBUTE, new ForwardedHeadersWriter.Forwarded(
                forwardedFor, original.getURI().getScheme() == null ? "http" : original.getURI().getScheme(), host));
        ServerWebExchange rewritten = exchange.mutate().request(request -> {
            if (rawQuery != null && !rawQuery.equals(query)) {
                request.uri(UriComponentsBuilder.fromUri(original.getURI())
                        .replaceQuery(query.isEmpty() ? null : query).build(true).toUri());
            }
            request.headers(headers -> {
                removeConnectionNominated(headers);
                removeUnderscoreNames(headers);
                METHOD_OVERRIDES.forEach(headers::remove);
                FORWARDING.forEach(headers::remove);
                headers.remove(ApiKeyExtractor.API_KEY_HEADER);
                headers.remove(HttpHeaders.AUTHORIZATION);
                removePowerPostHeaders(headers);
                if (workspaceId != null) {
                    headers.set(GatewayHeaders.WORKSPACE_ID, workspaceId);   // exactly as validated
                } else {
                    headers.remove(GatewayHeaders.WORKSPACE_ID);
                }
                headers.set(GatewayHeaders.ACCOUNT_ID, auth.key().accountId());
                headers.set(GatewayHeaders.KEY_ID, auth.key().id());
                headers.set(GatewayHeaders.SCOPES, auth.key().scopesHeader());
                if (requestId != null) {
                    headers.set(GatewayHeaders.REQUEST_ID, requestId);
                }
            });
        }).build();
        return chain.filter(rewritten);
    }

    /** The trusted proxies' chain (only when the peer is one of them), then the peer. */
    private String forwardedFor(ServerHttpRequest request) {
        String peer = request.getRemoteAddress() == null || request.getRemoteAddress().getAddress() == null
                ? "unknown" : request.getRemoteAddress().getAddress().getHostAddress();
        List<String> chain = request.getHeaders().get("X-Forwarded-For");
        if (chain == null || chain.isEmpty() || !proxies.peerIsTrusted(request)) {
            return peer;
        }
        return String.join(", ", chain) + ", " + peer;
    }

    /** The raw query without any {@code _method} parameter (also when its name is percent-encoded). */
    static String withoutMethodOverride(String rawQuery) {
        if (rawQuery.indexOf('%') < 0 && !rawQuery.toLowerCase(Locale.ROOT).contains("method")) {
            return rawQuery;
        }
        StringBuilder kept = new StringBuilder(rawQuery.length());
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name;
            try {
                name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                name = rawName;
            }
            if (name.trim().equalsIgnoreCase("_method")) {
                continue;
            }
            if (kept.length() > 0) {
                kept.append('&');
            }
            kept.append(pair);
        }
        return kept.toString();
    }

    private static void removeConnectionNominated(HttpHeaders headers) {
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

    /**
     * Header names with underscores are dropped (as nginx does by default): CGI-style backends
     * (WSGI, Rack, PHP) map {@code X_PowerPost_Account_Id} and {@code X-PowerPost-Account-Id} to the
     * same variable, so an underscore spelling could smuggle in a header the gateway owns.
     */
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

    @Override
    public int getOrder() {
        return FilterOrder.IDENTITY_HEADERS;
    }

    @Override
    public String toString() {
        return "IdentityHeadersFilter";
    }
}
