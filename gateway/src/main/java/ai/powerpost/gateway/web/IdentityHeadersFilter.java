package ai.powerpost.gateway.web;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import ai.powerpost.gateway.FilterOrder;
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
 * The last of our filters: decides the request headers the backend trusts, which
 * {@link UpstreamRequestHeaders} then writes, in one copy, when the upstream request is built.
 * <ul>
 * <li>the credentials ({@code x-api-key}, {@code Authorization}) are removed;</li>
 * <li>every client-sent {@code X-PowerPost-*} header is removed, then {@code X-PowerPost-Account-Id},
 *     {@code X-PowerPost-Key-Id} and {@code X-PowerPost-Scopes} are set from the verified key, and
 *     {@code X-Request-Id};</li>
 * <li>{@code X-Workspace-Id} is passed only on routes that checked it, exactly as validated;</li>
 * <li>every header whose name has an underscore is dropped;</li>
 * <li>the headers a {@code Connection} header names, and the {@code Connection} header itself, are
 *     removed before the gateway's own are set, so a client cannot strip the identity headers;</li>
 * <li>method-override headers ({@code X-HTTP-Method-Override} and kin) and {@code _method} query
 *     parameters are removed (the query here, on the exchange): the method checked is the method sent;</li>
 * <li>the forwarding headers are replaced: client-sent {@code Forwarded} / {@code X-Forwarded-*} /
 *     {@code X-Real-IP} are dropped, and the values the upstream gets are decided here:
 *     {@code X-Forwarded-For} (the chain only when the peer is a trusted proxy, then the peer),
 *     {@code -Proto} and {@code -Host}.</li>
 * </ul>
 * The decision is one {@link UpstreamRequestHeaders.Identity} on the exchange: the request the
 * filters after this one see keeps the client's headers (only a {@code _method} query, or a
 * {@code Content-Type} the {@code Connection} header names, changes the exchange's request). Read
 * what the upstream gets from {@link UpstreamRequestHeaders}, never from the exchange's request.
 */
@Component
public final class IdentityHeadersFilter implements GlobalFilter, Ordered {

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
        ServerHttpRequest original = exchange.getRequest();
        HttpHeaders headers = original.getHeaders();
        URI uri = original.getURI();
        Set<String> nominated = UpstreamRequestHeaders.nominated(headers.get(HttpHeaders.CONNECTION));
        String requestId = exchange.getAttribute(RequestIdFilter.ATTRIBUTE);
        String workspaceId = found.route().workspaceRequired() ? headers.getFirst(GatewayHeaders.WORKSPACE_ID) : null;
        exchange.getAttributes().put(UpstreamRequestHeaders.ATTRIBUTE, new UpstreamRequestHeaders.Identity(
                auth.key().accountId(), auth.key().id(), auth.key().scopesHeader(), requestId, workspaceId, nominated,
                forwardedFor(original), uri.getScheme() == null ? "http" : uri.getScheme(),
                headers.getFirst(HttpHeaders.HOST)));
        String rawQuery = uri.getRawQuery();
        String query = rawQuery == null ? null : withoutMethodOverride(rawQuery);
        boolean rewriteQuery = query != null && !query.equals(rawQuery);
        // Spring Cloud Gateway's GRPCResponseHeadersFilter reads the request's Content-Type: hide one the
        // client declared hop-by-hop, as the upstream request does not carry it either.
        boolean hideContentType = nominated.contains("content-type");
        if (!rewriteQuery && !hideContentType) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().request(request -> {
            if (rewriteQuery) {
                request.uri(UriComponentsBuilder.fromUri(uri).replaceQuery(query.isEmpty() ? null : query).build(true).toUri());
            }
            if (hideContentType) {
                request.headers(h -> h.remove(HttpHeaders.CONTENT_TYPE));
            }
        }).build());
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

    @Override
    public int getOrder() {
        return FilterOrder.IDENTITY_HEADERS;
    }

    @Override
    public String toString() {
        return "IdentityHeadersFilter";
    }
}
