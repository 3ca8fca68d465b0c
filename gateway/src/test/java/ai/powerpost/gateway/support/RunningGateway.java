package ai.powerpost.gateway.support;

import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A gateway a test talks to over its ports: one started in the test JVM ({@link GatewayInstance}) or
 * the packaged jar as its own process ({@link GatewayProcess}).
 */
public interface RunningGateway extends AutoCloseable {

    /** The public port. */
    int port();

    int managementPort();

    /** The management port with the admin token. */
    WebTestClient admin();

    @Override
    void close();
}
