package ai.powerpost.gateway.support;

import java.time.Duration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

/**
 * HTTP clients for the tests: a new connection per request, outside Reactor Netty's global pool,
 * which the gateways under test share in this JVM. Tests then never wait on each other's pooled
 * connections, and each request is what an independent client sends.
 */
public final class TestClients {

    private TestClients() {}

    public static WebTestClient to(int port) {
        return WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.newConnection()))
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(20))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build();
    }

    public static WebTestClient admin(int managementPort) {
        return to(managementPort)
                .mutate()
                .defaultHeader("Authorization", "Bearer " + GatewayTestBase.ADMIN_TOKEN)
                .build();
    }
}
