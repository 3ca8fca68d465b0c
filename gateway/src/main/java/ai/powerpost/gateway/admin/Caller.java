package ai.powerpost.gateway.admin;

import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * An authenticated management call, as {@link AdminAuthentication} leaves it on the request: who
 * calls, the request's id ({@code X-Request-Id}, echoed on the response) and the client's address.
 */
public record Caller(Actor actor, String requestId, String clientAddress) {

    static final String ATTRIBUTE = Caller.class.getName();

    /** The caller of a request that passed {@link AdminAuthentication}; every management route does. */
    public static Caller of(ServerRequest request) {
        Object caller = request.attributes().get(ATTRIBUTE);
        if (!(caller instanceof Caller found)) {
            throw new IllegalStateException("a management route was reached without authentication");
        }
        return found;
    }
}
