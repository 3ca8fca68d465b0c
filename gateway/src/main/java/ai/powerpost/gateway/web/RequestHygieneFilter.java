package ai.powerpost.gateway.web;

import ai.powerpost.gateway.FilterOrder;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.errors.ErrorResponseWriter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Refuses what the API never needs and a backend could read differently: protocol upgrades
 * ({@code Upgrade: h2c}, websockets) are a 400 before routing, so no upgraded connection ever
 * reaches a route.
 */
@Component
public final class RequestHygieneFilter implements GlobalFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        if (headers.containsHeader(HttpHeaders.UPGRADE) || headers.containsHeader("HTTP2-Settings")) {
            return ErrorResponseWriter.write(exchange, ApiError.UPGRADE_REFUSED);
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.HYGIENE;
    }

    @Override
    public String toString() {
        return "RequestHygieneFilter";
    }
}
