package ai.powerpost.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayIntegrationTest;
import ai.powerpost.gateway.support.GatewayTestBase;
import ai.powerpost.gateway.support.RecordingUpstream.Received;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.headers.GRPCResponseHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.context.ApplicationContext;

/**
 * The upstream request's headers exactly (names as spelled, order, values), end to end through the
 * real Netty stack, for requests that exercise each rule; the expectations are what the gateway sent
 * before its request headers were built in one pass. And the wiring: one routing filter, the
 * gateway's, whose only request header filter is {@link UpstreamRequestHeaders}.
 */
@GatewayIntegrationTest
class UpstreamHeadersIT extends GatewayTestBase {

    /** Added by the HTTP client that calls the upstream, not by the gateway's rules. */
    private static final Set<String> CLIENT_ADDED = Set.of("user-agent", "host", "accept", "transfer-encoding");

    @Autowired
    ApplicationContext context;

    @Test
    void oneRoutingFilterWhoseOnlyRequestHeaderFilterIsTheGateways() {
        assertThat(context.getBeansOfType(NettyRoutingFilter.class)).hasSize(1);
        assertThat(context.getBeansOfType(NettyWriteResponseFilter.class)).hasSize(1);
        List<HttpHeadersFilter> filters =
                context.getBean(NettyRoutingFilter.class).getHeadersFilters();
        assertThat(filters).hasSize(3);
        assertThat(filters.get(0)).isInstanceOf(UpstreamRequestHeaders.class);
        assertThat(filters.get(1)).isInstanceOf(GRPCResponseHeadersFilter.class);
        assertThat(filters.get(2))
                .isInstanceOfSatisfying(
                        UpstreamRequestHeaders.ResponseOnly.class,
                        f -> assertThat(f.delegate()).isInstanceOf(RemoveHopByHopHeadersFilter.class));
    }

    @Test
    void headersSentInSeveralSpellingsAndAMethodOverrideQuery() {
        Tenant t = tenant("full_access");
        assertThat(send(
                        t,
                        "GET",
                        "/api/v1/posts/{m}?a=1&_method=DELETE&b=2",
                        "x-api-key: {key}",
                        "X-Workspace-Id: {ws}",
                        "Accept: a",
                        "accept: b",
                        "X-Foo: 1",
                        "ACCEPT: c",
                        "x-foo: 2"))
                .containsExactly(
                        "GET /api/v1/posts/{m}?a=1&b=2",
                        "X-Workspace-Id: [{ws}]",
                        "Accept: [a, b, c, a, b, c, a, b, c]",
                        "X-Foo: [1, 2, 1, 2]",
                        "X-PowerPost-Account-Id: [{acct}]",
                        "X-PowerPost-Key-Id: [{kid}]",
                        "X-PowerPost-Scopes: [{scopes}]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [{rid}]",
                        "X-Forwarded-For: [127.0.0.1]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [127.0.0.1:{port}]");
    }

    @Test
    void connectionNamedHeadersAreRemovedAndTheGatewaysOwnSetAfterwards() {
        Tenant t = tenant("full_access");
        assertThat(send(
                        t,
                        "GET",
                        "/api/v1/posts/{m}",
                        "X-Request-Id: client-3",
                        "x-api-key: {key}",
                        "X-Workspace-Id: {ws}",
                        "X-Foo: 1",
                        "X-Bar: 2",
                        "X-Baz: 3",
                        "Connection: X-PowerPost-Account-Id, X-Workspace-Id, X-Request-Id, x-foo",
                        "Connection:   X-Bar  , , close",
                        "Zzz: after",
                        "Keep-Alive: 5",
                        "TE: gzip",
                        "Proxy-Authorization: x"))
                .containsExactly(
                        "GET /api/v1/posts/{m}",
                        "X-Baz: [3]",
                        "Zzz: [after]",
                        "X-Workspace-Id: [{ws}]",
                        "X-PowerPost-Account-Id: [{acct}]",
                        "X-PowerPost-Key-Id: [{kid}]",
                        "X-PowerPost-Scopes: [{scopes}]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [client-3]",
                        "X-Forwarded-For: [127.0.0.1]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [127.0.0.1:{port}]");
    }

    @Test
    void spoofedAndClientOnlyHeadersNeverPassAndGrpcGetsTe() {
        Tenant t = tenant("full_access");
        assertThat(send(
                        t,
                        "GET",
                        "/api/v1/posts/{m}?_method=PUT",
                        "X-PowerPost-Key-Id: spoof",
                        "x-api-key: {key}",
                        "x-workspace-id: {ws}",
                        "x-request-id: cli-9",
                        "X_Y: 1",
                        "Forwarded: for=x",
                        "X-Real-IP: 1.2.3.4",
                        "Content-Type: application/grpc",
                        "TE: trailers",
                        "Connection: X-Keep, te",
                        "X-Keep: k",
                        "X-Forwarded-Anything: z",
                        "x-forwarded-for: 1.2.3.4",
                        "X-HTTP-Method-Override: DELETE",
                        "Accept: a"))
                .containsExactly(
                        "GET /api/v1/posts/{m}",
                        "Content-Type: [application/grpc]",
                        "Accept: [a]",
                        "X-Workspace-Id: [{ws}]",
                        "X-PowerPost-Account-Id: [{acct}]",
                        "X-PowerPost-Key-Id: [{kid}]",
                        "X-PowerPost-Scopes: [{scopes}]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [cli-9]",
                        "X-Forwarded-For: [127.0.0.1]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [127.0.0.1:{port}]",
                        "te: [trailers]");
    }

    @Test
    void anAccountRouteGetsNoWorkspaceAndABodyKeepsItsLength() {
        Tenant t = tenant("full_access");
        assertThat(send(t, "GET", "/api/v1/account/credits?m={m}", "x-api-key: {key}", "X-Workspace-Id: someone_else"))
                .containsExactly(
                        "GET /api/v1/account/credits?m={m}",
                        "X-PowerPost-Account-Id: [{acct}]",
                        "X-PowerPost-Key-Id: [{kid}]",
                        "X-PowerPost-Scopes: [{scopes}]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [{rid}]",
                        "X-Forwarded-For: [127.0.0.1]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [127.0.0.1:{port}]");
        assertThat(send(
                        t,
                        "POST",
                        "/api/v1/posts?m={m}",
                        "x-api-key: {key}",
                        "X-Workspace-Id: {ws}",
                        "Content-Type: application/json",
                        "Content-Length: 7",
                        "",
                        "{\"a\":1}"))
                .containsExactly(
                        "POST /api/v1/posts?m={m}",
                        "X-Workspace-Id: [{ws}]",
                        "Content-Type: [application/json]",
                        "Content-Length: [7]",
                        "X-PowerPost-Account-Id: [{acct}]",
                        "X-PowerPost-Key-Id: [{kid}]",
                        "X-PowerPost-Scopes: [{scopes}]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [{rid}]",
                        "X-Forwarded-For: [127.0.0.1]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [127.0.0.1:{port}]");
    }

    @Test
    void anH2cOfferIsDeclinedAndWhatItsConnectionHeaderNamedStillPasses() {
        Tenant t = tenant("full_access");
        assertThat(send(
                        t,
                        "GET",
                        "/api/v1/posts/{m}",
                        "x-api-key: {key}",
                        "X-Workspace-Id: {ws}",
                        "Connection: Upgrade, HTTP2-Settings, X-Foo",
                        "Upgrade: h2c",
                        "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
                        "X-Foo: survives",
                        "Accept: a",
                        "accept: b"))
                .containsExactly(
                        "GET /api/v1/posts/{m}",
                        "X-Workspace-Id: [{ws}]",
                        "X-Foo: [survives]",
                        "Accept: [a, b, a, b]",
                        "X-PowerPost-Account-Id: [{acct}]",
                        "X-PowerPost-Key-Id: [{kid}]",
                        "X-PowerPost-Scopes: [{scopes}]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [{rid}]",
                        "X-Forwarded-For: [127.0.0.1]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [127.0.0.1:{port}]");
    }

    @Test
    void aChunkedBodyKeepsNoLengthOfItsOwn() {
        Tenant t = tenant("full_access");
        assertThat(send(
                        t,
                        "POST",
                        "/api/v1/posts?m={m}",
                        "x-api-key: {key}",
                        "X-Workspace-Id: {ws}",
                        "Transfer-Encoding: chunked",
                        "Content-Type: text/plain",
                        "",
                        "5\r\nhello\r\n0\r\n\r\n"))
                .containsExactly(
                        "POST /api/v1/posts?m={m}",
                        "X-Workspace-Id: [{ws}]",
                        "Content-Type: [text/plain]",
                        "X-PowerPost-Account-Id: [{acct}]",
                        "X-PowerPost-Key-Id: [{kid}]",
                        "X-PowerPost-Scopes: [{scopes}]",
                        "X-PowerPost-Key-Mode: [live]",
                        "X-Request-Id: [{rid}]",
                        "X-Forwarded-For: [127.0.0.1]",
                        "X-Forwarded-Proto: [http]",
                        "X-Forwarded-Host: [127.0.0.1:{port}]");
    }

    /**
     * Sends the request as written (the line after an empty one is the body, as it is), with
     * {@code Connection: close} unless it has a Connection header, then returns what the upstream received: request line, then each header the gateway
     * sent, with the tenant's values, the marker, the port and a generated request id as placeholders.
     */
    private List<String> send(Tenant t, String method, String target, String... lines) {
        String m = unique("uh");
        StringBuilder request = new StringBuilder(method + " " + target.replace("{m}", m) + " HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:")
                .append(port)
                .append("\r\n");
        boolean connection = false;
        String body = "";
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                body = lines[i + 1];
                break;
            }
            String text = lines[i].replace("{key}", t.key().key()).replace("{ws}", t.workspaceId());
            connection |= text.regionMatches(true, 0, "Connection:", 0, 11);
            request.append(text).append("\r\n");
        }
        request.append(connection ? "" : "Connection: close\r\n").append("\r\n").append(body);
        int status = exchange(request.toString());
        assertThat(status).as("status of %s", request).isEqualTo(200);
        List<Received> received =
                UPSTREAM.all().stream().filter(r -> r.uri().contains(m)).toList();
        assertThat(received).hasSize(1);
        Received r = received.get(0);
        List<String> out = new ArrayList<>();
        out.add(r.method() + " " + r.uri().replace(m, "{m}"));
        for (Map.Entry<String, List<String>> header : r.headers().entrySet()) {
            if (!CLIENT_ADDED.contains(header.getKey())) {
                out.add(header.getKey() + ": "
                        + String.valueOf(header.getValue())
                                .replace(t.accountId(), "{acct}")
                                .replace(t.key().id(), "{kid}")
                                .replace(t.workspaceId(), "{ws}")
                                .replace(String.valueOf(port), "{port}")
                                .replaceAll("^\\[[0-9a-f]{32}]$", "[{rid}]"));
            }
        }
        return out.stream()
                .map(line -> line.startsWith("X-PowerPost-Scopes: [") ? "X-PowerPost-Scopes: [{scopes}]" : line)
                .toList();
    }

    /** Writes the request on a plain socket and reads the status of the answer (the upstream has been called by then). */
    private int exchange(String request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] statusLine = new byte[12];
            int read = 0;
            while (read < statusLine.length) {
                int n = in.read(statusLine, read, statusLine.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return Integer.parseInt(new String(statusLine, 9, 3, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
