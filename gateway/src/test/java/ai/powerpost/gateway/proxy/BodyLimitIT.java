package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/** Per-route body limits from routes.yml (1 MB by default, 500 MB on the upload route). */
@GatewayIntegrationTest
class BodyLimitIT extends GatewayTestBase {

    private static final int MB = 1024 * 1024;

    @Test
    void declaredBodyOverTheLimitIs413BeforeTheUpstreamSeesAnything() {
        Tenant tenant = tenant("full_access");
        String marker = unique("m");
        client.post()
                .uri("/api/v1/posts?m=" + marker)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .header("Content-Type", "application/json")
                .bodyValue(new byte[2 * MB])
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectBody()
                .json(
                        "{\"error\":{\"code\":\"PAYLOAD_TOO_LARGE\","
                                + "\"message\":\"Request body exceeds this endpoint's size limit\"}}",
                        true);
        assertThat(UPSTREAM.receivedUnder("/api/v1/posts?m=" + marker)).isEmpty();
    }

    @Test
    void chunkedBodyOverTheLimitIsCutOffWhileStreaming() {
        Tenant tenant = tenant("full_access");
        String marker = unique("m");
        Flux<DataBuffer> body =
                Flux.range(0, 32).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[64 * 1024]));
        client.post()
                .uri("/api/v1/posts?m=" + marker)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .header("Content-Type", "application/json")
                .body(body, DataBuffer.class)
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(UPSTREAM.receivedUnder("/api/v1/posts?m=" + marker))
                .as("no complete request reached it")
                .isEmpty();
    }

    @Test
    void uploadRouteTakesLargeBodiesAndAnswersFileTooLargeOverItsLimit() {
        Tenant tenant = tenant("full_access");
        String marker = unique("m");
        client.post()
                .uri("/api/v1/media/upload?m=" + marker)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .header("Content-Type", "application/octet-stream")
                .bodyValue(new byte[8 * MB])
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
        assertThat(UPSTREAM.receivedUnder("/api/v1/media/upload?m=" + marker)
                        .get(0)
                        .bodyBytes())
                .isEqualTo(8L * MB);
        // 501 MB announced, none sent: the answer comes from the header alone
        String answer = rawRequest("POST /api/v1/media/upload?m=" + marker + "x HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nx-api-key: " + tenant.key().key() + "\r\n"
                + "X-Workspace-Id: " + tenant.workspaceId() + "\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + (501L * MB) + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 413").contains("\"code\":\"FILE_TOO_LARGE\"");
        assertThat(UPSTREAM.receivedUnder("/api/v1/media/upload?m=" + marker + "x"))
                .isEmpty();
    }

    private String rawRequest(String request) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] buffer = new byte[4096];
            int read = socket.getInputStream().read(buffer);
            return new String(buffer, 0, Math.max(read, 0), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
