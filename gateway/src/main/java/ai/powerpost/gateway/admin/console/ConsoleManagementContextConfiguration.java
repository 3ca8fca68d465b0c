package ai.powerpost.gateway.admin.console;

import ai.powerpost.gateway.admin.AdminProperties;
import ai.powerpost.gateway.admin.AuditStore;
import ai.powerpost.gateway.admin.OperatorSignIn;
import ai.powerpost.gateway.admin.keys.KeysHandler;
import ai.powerpost.gateway.usage.UsageQueries;
import ai.powerpost.gateway.web.TrustedProxies;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Mounts the console in the management server's child context, beside the management API: on the
 * management port only. Off (every {@code /console/**} a 404) when the management API is off.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ConsoleManagementContextConfiguration {

    @Bean
    RouterFunction<ServerResponse> consoleRoutes(
            AdminProperties properties,
            ConsoleSessions sessions,
            OperatorSignIn signIn,
            KeysHandler keys,
            AuditStore audit,
            ObjectProvider<UsageQueries> usage,
            TrustedProxies proxies) {
        if (!properties.enabled()) {
            return RouterFunctions.route(
                    request ->
                            request.path().equals("/console") || request.path().startsWith("/console/"),
                    request -> ServerResponse.notFound().build());
        }
        return new ConsoleHandler(sessions, signIn, keys, audit, usage, proxies).routes();
    }
}
