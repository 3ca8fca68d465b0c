package ai.powerpost.gateway.auth;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * The verified identity of a request, kept on the exchange by {@link ApiKeyAuthFilter} for the
 * filters after it. The one typed exchange attribute of the auth package.
 *
 * @param key the key that authenticated the request
 */
public record AuthContext(KeyRecord key) {

    static final String ATTRIBUTE = AuthContext.class.getName();

    public static @Nullable AuthContext of(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }
}
