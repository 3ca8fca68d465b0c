package ai.powerpost.gateway.support;

import ai.powerpost.gateway.GatewayApplication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A whole gateway started in this JVM on random ports, for tests that need several replicas
 * sharing one Redis (each instance has its own caches, buffers and Redis connections, exactly as
 * separate processes would).
 */
public final class GatewayInstance implements RunningGateway {

    static {
        BlockHoundSupport.install();
    }

    /**
     * As a property's value: the property is not set at all, not even to this class's default
     * (a Sentinel gateway configured as README says has no {@code spring.data.redis.url}).
     */
    public static final Object UNSET = new Object();

    private final ConfigurableApplicationContext context;

    private GatewayInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts an instance against the shared Redis and {@code upstream}, with extra properties. */
    public static GatewayInstance start(RecordingUpstream upstream, Map<String, Object> properties) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("server.port", 0);
        all.put("management.server.port", 0);
        if (!properties.containsKey("spring.data.redis.url")) {
            all.put("spring.data.redis.url", RedisSupport.redis().url()); // the shared server, started on first use
        }
        all.put("GATEWAY_UPSTREAM_POWERPOST", upstream.uri());
        all.put("gateway.routes.file", "../routes.yml");
        all.put("gateway.admin.token", GatewayTestBase.ADMIN_TOKEN);
        all.put("gateway.keys.secrets." + GatewayTestBase.KEY_SECRET_ID, GatewayTestBase.KEY_SECRET);
        all.put("gateway.keys.minting-secret", GatewayTestBase.KEY_SECRET_ID);
        all.put("gateway.auth.max-failures", 1_000_000);
        all.put("spring.data.redis.timeout", "10s");
        all.putAll(properties);
        all.values().removeIf(value -> value == UNSET);
        // As command-line arguments: they outrank application.yml, as an operator's settings would.
        String[] args = all.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .initializers(GatewayInstance::ownNettyResources)
                .run(args);
        return new GatewayInstance(context);
    }

    /**
     * Event loops and connection pools of its own, as a separate process would have: by default
     * Boot shares Reactor Netty's global resources and disposes them when a context closes, which
     * would take down every other gateway in this JVM.
     */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        ReactorResourceFactory resources = new ReactorResourceFactory();
        resources.setUseGlobalResources(false);
        context.getBeanFactory().registerSingleton("reactorResourceFactory", resources);
    }

    public WebTestClient client() {
        return TestClients.to(port("local.server.port"));
    }

    /** The management port without the admin token (actuator). */
    public WebTestClient management() {
        return TestClients.to(port("local.management.port"));
    }

    @Override
    public WebTestClient admin() {
        return TestClients.admin(port("local.management.port"));
    }

    @Override
    public int port() {
        return port("local.server.port");
    }

    @Override
    public int managementPort() {
        return port("local.management.port");
    }

    private int port(String property) {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty(property));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
