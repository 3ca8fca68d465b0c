package ai.powerpost.gateway.web;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes the forwarding headers {@link IdentityHeadersFilter} decided, as the very last of Spring
 * Cloud Gateway's request header filters (they run when the upstream request is built, after all
 * global filters). Last, because with its own forwarded-header handling switched off Spring Cloud
 * Gateway removes every {@code X-Forwarded-*} there.
 */
@Component
public final class ForwardedHeadersWriter implements HttpHeadersFilter, Ordered {

    static final String ATTRIBUTE = ForwardedHeadersWriter.class.getName();

    /** The forwarding headers of one request. */
    record Forwarded(String forwardedFor, String proto, @Nullable String host) {
    }

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

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
