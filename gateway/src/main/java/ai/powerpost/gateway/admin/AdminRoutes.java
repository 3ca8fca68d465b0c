package ai.powerpost.gateway.admin;

import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * One capability's routes of the management API (keys, operators, audit, ...), declared as a bean.
 * {@link AdminManagementContextConfiguration} mounts them all behind the same authentication
 * ({@link AdminAuthentication}) and failure handling, so a route added later cannot skip either.
 * A route that changes anything goes through {@link Changes}; a read declares its role with
 * {@link #read}.
 */
public interface AdminRoutes {

    RouterFunction<ServerResponse> routes();

    /** A read open to callers whose role includes {@code needed} (403 {@code FORBIDDEN} to others; no audit entry). */
    static HandlerFunction<ServerResponse> read(Role needed, HandlerFunction<ServerResponse> read) {
        return request -> Caller.of(request).actor().role().includes(needed)
                ? read.handle(request)
                : AdminResponses.error(Changes.forbidden(needed));
    }
}
