package ai.powerpost.gateway.admin.console;

import ai.powerpost.gateway.access.BruteForceGuard;
import ai.powerpost.gateway.admin.AdminProperties;
import ai.powerpost.gateway.admin.Drbg;
import ai.powerpost.gateway.admin.OperatorCredentials;
import ai.powerpost.gateway.admin.OperatorSignIn;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The console's sessions and sign-in, in the main context (one per replica); its routes are in the management context. */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration {

    @Bean
    ConsoleSessions consoleSessions(ConsoleProperties properties) {
        return new ConsoleSessions(properties, Drbg.create(), Clock.systemUTC());
    }

    @Bean
    OperatorSignIn consoleSignIn(AdminProperties properties, OperatorCredentials operators, BruteForceGuard guard) {
        return new OperatorSignIn(properties, operators, guard);
    }
}
