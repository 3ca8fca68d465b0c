package ai.powerpost.gateway.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.auth.ApiKeyExtractor;
import ai.powerpost.gateway.auth.AuthContext;
import ai.powerpost.gateway.routing.RouteMatch;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
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
 * <li>passes {@code X-Workspace-Id} only on routes that checked it;</li>
 * <li>removes the headers a {@code Connection} header names, and the {@code Connection} header
 *     itself, here: Spring Cloud Gateway's hop-by-hop filter runs after this one and would
 *     otherwise let a client strip the identity headers just set.</li>
 * </ul>
 */
@Component
public final class IdentityHeadersFilter implements GlobalFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        AuthContext auth = AuthContext.of(exchange);
        RouteMatch match = exchange.getAttribute(RouteMatch.ATTRIBUTE);
        if (auth == null || !(match instanceof RouteMatch.Found found)) {
            return chain.filter(exchange);
        }
        String requestId = exchange.getAttribute(RequestIdFilter.ATTRIBUTE);
        boolean workspaceChecked = found.route().workspaceRequired();
        ServerWebExchange rewritten = exchange.mutate().request(request -> request.headers(headers -> {
            removeConnectionNominated(headers);
            headers.remove(ApiKeyExtractor.API_KEY_HEADER);
            headers.remove(HttpHeaders.AUTHORIZATION);
            removePowerPostHeaders(headers);
            if (!workspaceChecked) {
                headers.remove(GatewayHeaders.WORKSPACE_ID);
            }
            headers.set(GatewayHeaders.ACCOUNT_ID, auth.key().accountId());
            headers.set(GatewayHeaders.KEY_ID, auth.key().id());
            headers.set(GatewayHeaders.SCOPES, auth.key().scopesHeader());
            if (requestId != null) {
                headers.set(GatewayHeaders.REQUEST_ID, requestId);
            }
        })).build();
        return chain.filter(rewritten);
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
