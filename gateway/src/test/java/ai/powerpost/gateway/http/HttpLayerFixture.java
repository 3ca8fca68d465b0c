package ai.powerpost.gateway.http;

import ai.powerpost.gateway.support.FramingUpstream;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.GatewayProcess;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RunningGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;

/**
 * One gateway with short client-side timeouts (the defaults are checked by reading them, in
 * {@code HttpLimitsDefaultsTest}) in front of a {@link FramingUpstream}, and a full-access key.
 */
final class HttpLayerFixture implements AutoCloseable {

    static final String WORKSPACE = "ws_http";

    final FramingUpstream upstream = new FramingUpstream();
    final RunningGateway gateway;
    final int port;
    final String key;
    final String draftKey;

    /** The gateway started in this JVM. */
    static HttpLayerFixture inJvm(Map<String, Object> extra) {
        return new HttpLayerFixture(extra, false);
    }

    /** The packaged jar as its own process, configured through environment variables ({@link GatewayProcess}). */
    static HttpLayerFixture packagedJar(Map<String, Object> extra) {
        return new HttpLayerFixture(extra, true);
    }

    private HttpLayerFixture(Map<String, Object> extra, boolean packagedJar) {
        Map<String, Object> properties = new HashMap<>(Map.of(
                "gateway.http.header-timeout", "1s",
                "gateway.http.body-idle-timeout", "1s",
                "gateway.http.body-min-rate", "200",
                "gateway.http.body-min-rate-grace", "1s",
                "gateway.http.linger-timeout", "500ms",
                "server.netty.idle-timeout", "3s"));
        properties.putAll(extra);
        if (packagedJar) {
            gateway = GatewayProcess.start(upstream.uri(), properties, List.of());
        } else {
            properties.put("GATEWAY_UPSTREAM_POWERPOST", upstream.uri());
            gateway = GatewayInstance.start(new RecordingUpstream(), properties);
        }
        port = gateway.port();
        String account = "acct_http_" + UUID.randomUUID().toString().substring(0, 8);
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, WORKSPACE)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        key = create(account, "full_access");
        draftKey = create(account, "read_only");
    }

    @SuppressWarnings("unchecked")
    private String create(String account, String preset) {
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "http", "preset", preset))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (String) created.get("key");
    }

    /** A fresh marker for paths: every test's requests are told apart at the upstream by it. */
    static String marker() {
        return "m" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** The head of an authenticated request, without the blank line that ends it. */
    String head(String method, String target) {
        return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + key + "\r\nX-Workspace-Id: "
                + WORKSPACE + "\r\n";
    }

    /** The in-JVM gateway, for a test that reads its beans. */
    GatewayInstance inJvmGateway() {
        return (GatewayInstance) gateway;
    }

    @Override
    public void close() {
        gateway.close();
        upstream.close();
    }

    /** Open TCP connections whose local end is {@code port} (the gateway's side), from /proc/net/tcp{,6}. */
    static int establishedOn(int port) {
        int count = 0;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[1].contains(":") && !f[0].startsWith("sl")) {
                        int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                        if (local == port && "01".equals(f[3])) {
                            count++;
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + table, e);
            }
        }
        return count;
    }
}
