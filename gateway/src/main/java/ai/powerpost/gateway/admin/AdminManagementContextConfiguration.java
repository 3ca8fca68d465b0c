package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.access.BruteForceGuard;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.web.TrustedProxies;
import java.util.List;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Mounts the management API in the management server's child context, so it answers on the
 * management port only (never on the public port, whose routes are routes.yml's alone): every
 * capability's {@link AdminRoutes}, behind one authentication and one failure handling. With the
 * API off (no bootstrap token, and the root token not retired) every {@code /admin/**} call is a 404.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class AdminManagementContextConfiguration {

    @Bean
    RouterFunction<ServerResponse> adminRoutes(
            List<AdminRoutes> capabilities,
            AdminProperties properties,
            OperatorCredentials operators,
            BruteForceGuard guard,
            TrustedProxies proxies) {
        if (!properties.enabled()) {
            return RouterFunctions.route()
                    .route(
                            request -> request.path().startsWith("/admin/"),
                            request -> AdminResponses.error(ApiError.NOT_FOUND))
                    .build();
        }
        RouterFunction<ServerResponse> all = null;
        for (AdminRoutes capability : capabilities) {
            all = all == null ? capability.routes() : all.and(capability.routes());
        }
        if (all == null) {
            throw new IllegalStateException("the management API has no routes");
        }
        return all.filter(new AdminAuthentication(properties, operators, guard, proxies))
                .filter(new AdminFailures());
    }
}
