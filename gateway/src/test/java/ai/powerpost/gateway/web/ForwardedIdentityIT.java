package ai.powerpost.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RecordingUpstream.Received;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/** What the backend receives, and what it must never receive. */
@GatewayIntegrationTest
class ForwardedIdentityIT extends GatewayTestBase {

    @Test
    void backendReceivesVerifiedIdentityAndNoCredentials() {
        Tenant tenant = tenant("draft_only");
        String post = unique("post");
        String requestId = client.get()
                .uri("/api/v1/posts/" + post)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseHeaders()
                .getFirst("X-Request-Id");
        Received received = only("/api/v1/posts/" + post);
        assertThat(received.header("x-api-key")).isEmpty();
        assertThat(received.header("Authorization")).isEmpty();
        assertThat(received.first("X-PowerPost-Account-Id")).isEqualTo(tenant.accountId());
        assertThat(received.first("X-PowerPost-Key-Id")).isEqualTo(tenant.key().id());
        assertThat(received.first("X-PowerPost-Scopes").split(" "))
                .hasSize(13)
                .contains("posts:read", "posts:write")
                .doesNotContain("posts:publish");
        assertThat(received.first("X-Workspace-Id")).isEqualTo(tenant.workspaceId());
        assertThat(requestId).matches("[0-9a-f]{32}");
        assertThat(received.first("X-Request-Id")).isEqualTo(requestId);
    }

    @Test
    void tracingOffTheClientsTraceContextNeverReachesTheBackendAndTheGatewayAddsNone() {
        Tenant tenant = tenant("read_only");
        String marker = unique("m");
        client.get()
                .uri("/api/v1/account/credits?m=" + marker)
                .header("x-api-key", tenant.key().key())
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .header("tracestate", "vendor=1")
                .header("baggage", "user=admin")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        Received received = only("/api/v1/account/credits?m=" + marker);
        assertThat(received.header("traceparent")).isEmpty();
        assertThat(received.header("tracestate")).isEmpty();
        assertThat(received.header("baggage")).isEmpty();
    }

    @Test
    void bearerCredentialIsRemovedToo() {
        Tenant tenant = tenant("read_only");
        String marker = unique("m");
        client.get()
                .uri("/api/v1/account/credits?m=" + marker)
                .header("Authorization", "Bearer " + tenant.key().key())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        Received received = only("/api/v1/account/credits?m=" + marker);
        assertThat(received.header("Authorization")).isEmpty();
        assertThat(received.header("x-api-key")).isEmpty();
    }

    @Test
    void clientSentPowerPostHeadersAreReplacedNeverForwarded() {
        Tenant tenant = tenant("full_access");
        String post = unique("post");
        client.get()
                .uri("/api/v1/posts/" + post)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .header("X-PowerPost-Account-Id", "acct_victim")
                .header("x-powerpost-key-id", "key_victim")
                .header("X-PowerPost-Admin", "true")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        Received received = only("/api/v1/posts/" + post);
        assertThat(received.header("X-PowerPost-Account-Id")).containsExactly(tenant.accountId());
        assertThat(received.header("X-PowerPost-Key-Id"))
                .containsExactly(tenant.key().id());
        assertThat(received.header("X-PowerPost-Admin")).isEmpty();
    }

    @Test
    void connectionHeaderCannotStripTheIdentityHeaders() {
        Tenant tenant = tenant("full_access");
        String post = unique("post");
        client.get()
                .uri("/api/v1/posts/" + post)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .header("Connection", "X-PowerPost-Account-Id, X-PowerPost-Scopes, X-Workspace-Id")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        Received received = only("/api/v1/posts/" + post);
        assertThat(received.first("X-PowerPost-Account-Id")).isEqualTo(tenant.accountId());
        assertThat(received.first("X-PowerPost-Scopes")).contains("posts:read");
    }

    @Test
    void workspaceHeaderIsNotForwardedWhereItWasNotChecked() {
        Tenant tenant = tenant("read_only");
        String marker = unique("m");
        client.get()
                .uri("/api/v1/account/credits?m=" + marker)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", "ws_not_mine")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        assertThat(only("/api/v1/account/credits?m=" + marker).header("X-Workspace-Id"))
                .isEmpty();
    }

    @Test
    void saneClientRequestIdIsKeptAndOthersReplaced() {
        Tenant tenant = tenant("read_only");
        client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", tenant.key().key())
                .header("X-Request-Id", "client-req_1.2:3")
                .exchange()
                .expectHeader()
                .valueEquals("X-Request-Id", "client-req_1.2:3")
                .expectBody(Void.class);
        String replaced = client.get()
                .uri("/api/v1/account/credits")
                .header("x-api-key", tenant.key().key())
                .header("X-Request-Id", "bad id\" with junk")
                .exchange()
                .expectBody()
                .returnResult()
                .getResponseHeaders()
                .getFirst("X-Request-Id");
        assertThat(replaced).matches("[0-9a-f]{32}");
        client.get()
                .uri("/api/v1/nope")
                .exchange()
                .expectHeader()
                .exists("X-Request-Id")
                .expectBody(Void.class);
    }

    @Test
    void requestBodiesStreamThroughIntact() {
        Tenant tenant = tenant("full_access");
        int chunks = 64;
        int chunkSize = 64 * 1024;
        Flux<DataBuffer> body =
                Flux.range(0, chunks).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[chunkSize]));
        String marker = unique("m");
        client.post()
                .uri("/api/v1/media/upload?m=" + marker)
                .header("x-api-key", tenant.key().key())
                .header("X-Workspace-Id", tenant.workspaceId())
                .header("Content-Type", "application/octet-stream")
                .body(body, DataBuffer.class)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Void.class);
        assertThat(only("/api/v1/media/upload?m=" + marker).bodyBytes()).isEqualTo((long) chunks * chunkSize);
    }

    private static Received only(String prefix) {
        List<Received> received = UPSTREAM.receivedUnder(prefix);
        assertThat(received).hasSize(1);
        return received.get(0);
    }
}
