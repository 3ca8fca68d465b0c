package ai.powerpost.gateway.web;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.StageFilter;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Refuses what a backend could read differently: more than one {@code Host} header (RFC 9112:
 * 400), and protocol upgrades, so no upgraded connection ever reaches a route. A websocket (or any
 * other) upgrade is a 400 before routing. An {@code h2c} upgrade offer is declined the way
 * RFC 9110 lets a server decline it: the request is served as the HTTP/1.1 request it also is,
 * without the offer (Java's own HTTP client makes that offer on every cleartext request, so a
 * 400 would break ordinary clients).
 */
public final class RequestHygieneFilter implements StageFilter {

    private static final String HTTP2_SETTINGS = "HTTP2-Settings";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        List<String> hosts = headers.get(HttpHeaders.HOST);
        if (hosts != null && hosts.size() > 1) {
            return ErrorResponseWriter.write(exchange, ApiError.validation("Exactly one Host header is allowed"));
        }
        List<String> upgrade = headers.get(HttpHeaders.UPGRADE);
        if (upgrade == null && !headers.containsHeader(HTTP2_SETTINGS)) {
            return chain.filter(exchange);
        }
        if (upgrade != null
                && !(upgrade.size() == 1
                        && "h2c".equalsIgnoreCase(upgrade.get(0).trim()))) {
            return ErrorResponseWriter.write(exchange, ApiError.UPGRADE_REFUSED);
        }
        ServerWebExchange declined = exchange.mutate()
                .request(request -> request.headers(h -> {
                    h.remove(HttpHeaders.UPGRADE);
                    h.remove(HTTP2_SETTINGS);
                    h.remove(HttpHeaders.CONNECTION);
                }))
                .build();
        return chain.filter(declined);
    }

    @Override
    public Stage stage() {
        return Stage.HYGIENE;
    }

    @Override
    public String toString() {
        return "RequestHygieneFilter";
    }
}
