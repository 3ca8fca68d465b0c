package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.errors.ApiError;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Mounts the key management API in the management server's child context, so it answers on the
 * management port only (never on the public port, whose routes are routes.yml's alone). With no
 * admin token configured the API is off: every {@code /admin/**} call is a 404.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class AdminManagementContextConfiguration {

    @Bean
    RouterFunction<ServerResponse> keyAdminRoutes(KeyAdminService service, AdminProperties properties) {
        if (!properties.enabled()) {
            return RouterFunctions.route()
                    .route(
                            request -> request.path().startsWith("/admin/"),
                            request -> KeyAdminHandler.error(ApiError.NOT_FOUND))
                    .build();
        }
        return new KeyAdminHandler(service, properties.token()).routes();
    }
}
