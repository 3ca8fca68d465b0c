package ai.powerpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.TestRoutes;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;

/**
 * Upstreams that answer with bytes the gateway cannot take: a response head over Netty's client
 * limits, a malformed status line, contradictory or broken framing, a connection closed before
 * or in the middle of the head. The upstream is a raw socket ({@link RawUpstream}), so it can
 * send what no HTTP library would; the client is one too ({@link RawClient}), so it can tell a
 * complete response from one cut short.
 * <ul>
 * <li>Nothing of the response sent to the client yet: 502 {@code BAD_GATEWAY} JSON, never 500,
 *     without any of the upstream's headers, and the gateway serves the next request.</li>
 * <li>Status and headers already sent: the client connection is cut, so the client never sees a
 *     response that looks complete.</li>
 * <li>Never retried for a POST, nor for a GET once the upstream sent any byte; counted by the
 *     circuit breaker, where a client's own failure (its body refused, or hanging up) is not.</li>
 * </ul>
 */
class BrokenUpstreamIT {

    private static final String WORKSPACE = "ws_broken";
    private static final String OK_BODY = "{\"ok\":true}";
    private static final String BAD_GATEWAY_BODY =
            "{\"error\":{\"code\":\"BAD_GATEWAY\",\"message\":\"The upstream service could not be reached\"}}";
    /** The route's response timeout is 5 s: a 502 must come well before a timeout could. */
    private static final Duration PROMPT = Duration.ofSeconds(3);

    private static final RawUpstream UPSTREAM = new RawUpstream();
    private static final RecordingUpstream UNUSED = new RecordingUpstream();
    private static GatewayInstance gateway;
    private static int port;
    private static String key;

    @BeforeAll
    static void start() {
        String routes = TestRoutes.write("""
                upstreams:
                  broken:
                    uri: http://127.0.0.1:1
                    response-timeout: 5s
                    retries: 0
                    circuit-breaker: { failure-rate: 100, minimum-calls: 10000, open-for: 2s }
                  retrying:
                    uri: http://127.0.0.1:1
                    response-timeout: 5s
                    retries: 2
                    circuit-breaker: { failure-rate: 100, minimum-calls: 10000, open-for: 2s }
                  tripping:
                    uri: http://127.0.0.1:1
                    response-timeout: 5s
                    retries: 0
                    circuit-breaker: { failure-rate: 100, minimum-calls: 5, open-for: 60s }
                  refusing:
                    uri: http://127.0.0.1:1
                    response-timeout: 5s
                    retries: 0
                    circuit-breaker: { failure-rate: 100, minimum-calls: 3, open-for: 60s }
                  forsaken:
                    uri: http://127.0.0.1:1
                    response-timeout: 5s
                    retries: 0
                    circuit-breaker: { failure-rate: 100, minimum-calls: 3, open-for: 60s }
                routes:
                  - { id: post-get, method: GET, path: "/api/v1/posts/{id}", scope: posts:read, upstream: broken }
                  - { id: entry-get, method: GET, path: "/api/v1/calendar/entries/{id}", scope: calendar:read,
                      upstream: retrying }
                  - { id: post-publish, method: POST, path: "/api/v1/posts/{id}/publish", scope: posts:publish,
                      upstream: retrying }
                  - { id: generation-get, method: GET, path: "/api/v1/content/generations/{id}", scope: content:read,
                      upstream: tripping }
                  - { id: image-get, method: GET, path: "/api/v1/images/generations/{id}", scope: images:read,
                      upstream: forsaken }
                  - { id: entry-create, method: POST, path: "/api/v1/calendar/entries", scope: calendar:write,
                      upstream: refusing, max-body: 16B }
                  - { id: entry-update, method: PATCH, path: "/api/v1/calendar/entries/{id}", scope: calendar:write,
                      upstream: refusing }
                """);
        gateway = GatewayInstance.start(
                UNUSED,
                Map.of(
                        "gateway.routes.file", routes,
                        "GATEWAY_UPSTREAM_BROKEN", UPSTREAM.uri(),
                        "GATEWAY_UPSTREAM_RETRYING", UPSTREAM.uri(),
                        "GATEWAY_UPSTREAM_TRIPPING", UPSTREAM.uri(),
                        "GATEWAY_UPSTREAM_REFUSING", UPSTREAM.uri(),
                        "GATEWAY_UPSTREAM_FORSAKEN", UPSTREAM.uri()));
        port = gateway.bean(Environment.class).getRequiredProperty("local.server.port", Integer.class);
        String account = "acct_broken_" + System.nanoTime();
        gateway.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, WORKSPACE)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> created = gateway.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "b", "preset", "full_access"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        key = (String) created.get("key");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        UPSTREAM.close();
        UNUSED.close();
    }

    // ---------------------------------------------------------------- nothing sent yet: 502

    @ParameterizedTest
    @ValueSource(
            strings = {
                "bighead",
                "manyheaders",
                "longstatus",
                "badstatus",
                "garbage",
                "twolengths",
                "lengthandchunked",
                "badchunk",
                "headonly",
                "cuthead",
                "closeearly"
            })
    void responseTheGatewayCannotTakeIs502BadGatewayAndTheGatewayKeepsServing(String kind) {
        String path = "/api/v1/posts/" + unique(kind);
        Instant start = Instant.now();

        RawClient.Reply reply = get(path);

        assertThat(reply.status()).as("%s: %s", kind, reply).isEqualTo(502);
        assertThat(reply.header("Content-Type")).as(kind).startsWith("application/json");
        assertThat(reply.text()).as(kind).isEqualTo(BAD_GATEWAY_BODY);
        assertThat(reply.complete()).as(kind).isTrue();
        assertThat(Duration.between(start, Instant.now())).as(kind).isLessThan(PROMPT);
        // none of what the upstream said survives into the error
        assertThat(reply.has("Set-Cookie")).as("%s: %s", kind, reply).isFalse();
        assertThat(reply.has("Content-Encoding")).as("%s: %s", kind, reply).isFalse();
        assertThat(reply.has("X-Upstream")).as("%s: %s", kind, reply).isFalse();
        assertThat(reply.headers().get("x-request-id"))
                .as("the gateway's request id, alone: %s", reply)
                .hasSize(1)
                .noneMatch("from-upstream"::equals);
        assertThat(UPSTREAM.received(path))
                .as("retries: 0, so exactly one call")
                .isEqualTo(1);
        awaitUpstreamConnectionClosed(path);
        assertGatewayStillServes("/api/v1/posts/");
    }

    // ---------------------------------------------------------------- already sent: cut the connection

    @ParameterizedTest
    @ValueSource(strings = {"cutbody", "cutchunked", "badchunkmid"})
    void bodyThatBreaksOffAfterTheHeadWentOutCutsTheClientConnection(String kind) {
        String path = "/api/v1/posts/" + unique(kind);
        Instant start = Instant.now();

        RawClient.Reply reply = get(path);

        assertThat(reply.status())
                .as("the head went out before the upstream broke off: %s", reply)
                .isEqualTo(200);
        assertThat(reply.complete())
                .as("a response cut short must never look complete: %s", reply)
                .isFalse();
        if (kind.equals("cutbody")) {
            assertThat(reply.header("Content-Length")).isEqualTo("1000");
            assertThat(reply.body().length).isLessThan(1000);
        } else {
            assertThat(reply.header("Transfer-Encoding")).isEqualTo("chunked");
        }
        assertThat(reply.text()).startsWith("{\"partial\":");
        assertThat(Duration.between(start, Instant.now())).as(kind).isLessThan(PROMPT);
        assertThat(UPSTREAM.received(path)).isEqualTo(1);
        awaitUpstreamConnectionClosed(path);
        assertGatewayStillServes("/api/v1/posts/");
    }

    // ---------------------------------------------------------------- retries

    @ParameterizedTest
    @ValueSource(strings = {"headonly", "cuthead", "badstatus", "bighead", "badchunk"})
    void getIsNotRetriedOnceTheUpstreamSentAnyByte(String kind) {
        // the route retries GETs twice: only a failure before any response byte may use them
        String path = "/api/v1/calendar/entries/" + unique(kind);

        RawClient.Reply reply = get(path);

        assertThat(reply.status()).as("%s: %s", kind, reply).isEqualTo(502);
        assertThat(reply.text()).isEqualTo(BAD_GATEWAY_BODY);
        assertThat(UPSTREAM.received(path))
                .as("%s: the upstream answered (badly): not retried", kind)
                .isEqualTo(1);
        assertGatewayStillServes("/api/v1/calendar/entries/");
    }

    @Test
    void cutBodyOfAGetIsNotRetriedEither() {
        String path = "/api/v1/calendar/entries/" + unique("cutbody");

        RawClient.Reply reply = get(path);

        assertThat(reply.complete()).as("%s", reply).isFalse();
        assertThat(UPSTREAM.received(path)).isEqualTo(1);
    }

    @Test
    void getClosedBeforeAnyResponseByteIsRetriedThenIs502() {
        // the one broken answer that may be retried: the upstream said nothing at all
        String path = "/api/v1/calendar/entries/" + unique("closeearly");

        RawClient.Reply reply = get(path);

        assertThat(reply.status()).as("%s", reply).isEqualTo(502);
        assertThat(reply.text()).isEqualTo(BAD_GATEWAY_BODY);
        assertThat(UPSTREAM.received(path))
                .as("the first call and both retries")
                .isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"closeearly", "headonly", "cuthead", "badstatus", "bighead", "twolengths", "cutbody"})
    void postIsSentExactlyOnceWhateverTheUpstreamAnswers(String kind) {
        // the route retries GETs twice; a POST never, whatever broke
        String path = "/api/v1/posts/" + unique(kind) + "/publish";
        byte[] body = "{\"when\":\"now\"}".getBytes(StandardCharsets.UTF_8);

        RawClient.Reply reply = RawClient.exchange(port, "POST", path, authHeaders(), body);

        if (kind.equals("cutbody")) {
            assertThat(reply.complete()).as("%s", reply).isFalse();
        } else {
            assertThat(reply.status()).as("%s: %s", kind, reply).isEqualTo(502);
            assertThat(reply.text()).isEqualTo(BAD_GATEWAY_BODY);
        }
        assertThat(UPSTREAM.received(path))
                .as("%s: a POST reaches the upstream once", kind)
                .isEqualTo(1);
        assertThat(UPSTREAM.bodyBytes(path)).as("the whole request body, once").isEqualTo(body.length);
        assertGatewayStillServes("/api/v1/posts/");
    }

    // ---------------------------------------------------------------- circuit breaker

    @Test
    void brokenResponsesCountAsFailuresForTheCircuitBreaker() {
        // failure rate 100 % over at least 5 calls: only if every one of these counts does it open
        for (String kind : new String[] {"bighead", "badstatus", "badchunk", "headonly", "closeearly", "cutbody"}) {
            RawClient.Reply reply = get("/api/v1/content/generations/" + unique(kind));
            assertThat(reply.status() == 200 && reply.complete())
                    .as("%s: %s", kind, reply)
                    .isFalse();
        }
        String probe = "/api/v1/content/generations/" + unique("ok");

        RawClient.Reply reply = get(probe);

        assertThat(reply.status()).as("%s", reply).isEqualTo(503);
        assertThat(reply.text())
                .contains("\"SERVICE_UNAVAILABLE\"")
                .contains("\"The upstream service is temporarily unavailable, try again later\"");
        assertThat(reply.header("Retry-After")).isEqualTo("60"); // the breaker's open-for
        assertThat(UPSTREAM.received(probe))
                .as("an open breaker answers without the upstream")
                .isZero();
    }

    @Test
    void aClientsBodyRefusedMidStreamDoesNotCountForTheUpstreamsBreaker() {
        // breaker: 100 % over at least 3 calls. A chunked body over the route's 16 bytes is cut off
        // with a 413 while it streams to the upstream: the call fails, by the client's doing alone.
        for (int i = 0; i < 3; i++) {
            RawClient.Reply tooLarge = RawClient.exchangeChunked(
                    port, "POST", "/api/v1/calendar/entries", authHeaders(), "{\"title\":\"", "x".repeat(64), "\"}");
            assertThat(tooLarge.status()).as("%s", tooLarge).isEqualTo(413);
        }
        String probe = "/api/v1/calendar/entries/" + unique("ok");

        RawClient.Reply reply =
                RawClient.exchange(port, "PATCH", probe, authHeaders(), "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.status()).as("the breaker stays closed: %s", reply).isEqualTo(200);
        assertThat(UPSTREAM.received(probe)).isEqualTo(1);
    }

    @Test
    void aClientGoingAwayMidBodyDoesNotCountForTheUpstreamsBreaker() {
        // breaker: 100 % over at least 3 calls; a client that stops reading is no failure of the upstream's
        for (int i = 0; i < 3; i++) {
            String path = "/api/v1/images/generations/" + unique("slowbody");
            assertThat(RawClient.getThenHangUp(port, path, authHeaders())).isEqualTo(200);
            // and the gateway stops reading the upstream's body: it closes that connection
            awaitUpstreamConnectionClosed(path);
        }
        String probe = "/api/v1/images/generations/" + unique("ok");

        RawClient.Reply reply = get(probe);

        assertThat(reply.status()).as("the breaker stays closed: %s", reply).isEqualTo(200);
        assertThat(UPSTREAM.received(probe)).isEqualTo(1);
    }

    // ---------------------------------------------------------------- helpers

    private static RawClient.Reply get(String path) {
        return RawClient.exchange(port, "GET", path, authHeaders(), new byte[0]);
    }

    private static Map<String, String> authHeaders() {
        return Map.of("x-api-key", key, "X-Workspace-Id", WORKSPACE);
    }

    private static String unique(String kind) {
        return kind + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static void assertGatewayStillServes(String prefix) {
        String path = prefix + unique("ok");
        RawClient.Reply reply = get(path);
        assertThat(reply.status()).as("the next request: %s", reply).isEqualTo(200);
        assertThat(reply.complete()).isTrue();
        assertThat(reply.text()).isEqualTo(OK_BODY);
        assertThat(UPSTREAM.received(path)).isEqualTo(1);
    }

    /** The gateway must close (not pool) a connection that carried a broken response, and not wait for the upstream to. */
    private static void awaitUpstreamConnectionClosed(String path) {
        poll(
                () -> UPSTREAM.ended(path),
                Duration.ofSeconds(5),
                "the gateway closes the upstream connection of " + path);
    }

    private static void poll(BooleanSupplier condition, Duration within, String what) {
        Instant deadline = Instant.now().plus(within);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * An upstream on a plain {@link ServerSocket}, one thread per connection: it reads each
     * request's head (and its body, by Content-Length or chunked) and answers the byte sequence
     * named by the first path segment, from the end, that starts with a known script name and
     * '-', else {@code ok}: 200 with a small JSON body, on a kept-alive connection. Every other
     * script ends the connection: those that cut the answer short close it themselves; those whose
     * answer is broken in itself ({@link #HELD}) hold it open until the gateway closes it (up to
     * 10 s), so a gateway that pooled a broken connection, or waited for the upstream to close it,
     * is seen.
     */
    static final class RawUpstream implements AutoCloseable {

        private static final Set<String> SCRIPTS = Set.of(
                "ok",
                "bighead",
                "manyheaders",
                "longstatus",
                "badstatus",
                "garbage",
                "twolengths",
                "lengthandchunked",
                "badchunk",
                "headonly",
                "cuthead",
                "closeearly",
                "cutbody",
                "cutchunked",
                "badchunkmid",
                "slowbody");
        /** The scripts whose answer is broken in itself: the upstream then holds the connection open. */
        private static final Set<String> HELD = Set.of(
                "bighead",
                "manyheaders",
                "longstatus",
                "badstatus",
                "garbage",
                "twolengths",
                "lengthandchunked",
                "badchunk",
                "badchunkmid");
        /** How long a script holds a broken connection open, waiting for the gateway to close it. */
        private static final int HOLD_MILLIS = 10_000;

        private final ServerSocket server;
        private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        private final Map<String, Long> bodyBytes = new ConcurrentHashMap<>();
        private final Set<String> ended = ConcurrentHashMap.newKeySet();

        RawUpstream() {
            try {
                server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread acceptor = new Thread(this::accept, "raw-upstream-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String uri() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        int received(String path) {
            AtomicInteger count = received.get(path);
            return count == null ? 0 : count.get();
        }

        long bodyBytes(String path) {
            return bodyBytes.getOrDefault(path, -1L);
        }

        /** Whether the connection that carried {@code path}'s broken answer has ended. */
        boolean ended(String path) {
            return ended.contains(path);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread connection = new Thread(() -> serve(socket), "raw-upstream-conn");
                    connection.setDaemon(true);
                    connection.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                socket.setSoTimeout(30_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                while (true) {
                    String path = readRequest(in);
                    if (path == null) {
                        return;
                    }
                    String script = script(path);
                    if (script.equals("ok")) {
                        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                + OK_BODY.length() + "\r\n\r\n" + OK_BODY));
                        out.flush();
                        continue;
                    }
                    try {
                        answer(script, out);
                    } catch (IOException cutWhileWriting) {
                        ended.add(path); // the gateway closed it before it had all of the answer
                        return;
                    }
                    if (HELD.contains(script)) {
                        holdUntilClosed(socket, in, path);
                    } else {
                        ended.add(path); // closed here, by the script
                    }
                    return;
                }
            } catch (IOException e) {
                // the gateway went away: nothing to answer
            }
        }

        /** Writes the broken answer of {@code script}. */
        private static void answer(String script, OutputStream out) throws IOException {
            switch (script) {
                // a single header line of 200 KB: far over the client's 8 KB header limit
                case "bighead" ->
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nX-Upstream: 1\r\nX-Big: " + "a".repeat(200 * 1024)
                                    + "\r\nContent-Length: 2\r\n\r\n{}");
                // many small headers, together over the limit, none of them alone
                case "manyheaders" -> {
                    StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\nX-Upstream: 1\r\n");
                    for (int i = 0; i < 300; i++) {
                        head.append("X-H-")
                                .append(i)
                                .append(": ")
                                .append("v".repeat(60))
                                .append("\r\n");
                    }
                    send(out, head.append("Content-Length: 2\r\n\r\n{}").toString());
                }
                // a status line over the client's 4 KB initial line limit
                case "longstatus" ->
                    send(out, "HTTP/1.1 200 " + "O".repeat(16 * 1024) + "\r\nContent-Length: 2\r\n\r\n{}");
                case "badstatus" -> send(out, "HTTP/1.1 abc OK\r\nX-Upstream: 1\r\nContent-Length: 2\r\n\r\n{}");
                case "garbage" -> send(out, "garbage\r\n\r\n");
                case "twolengths" ->
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nX-Upstream: 1\r\nContent-Length: 2\r\n"
                                    + "Content-Length: 3\r\n\r\n{}x");
                case "lengthandchunked" ->
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nX-Upstream: 1\r\nContent-Length: 7\r\n"
                                    + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
                // a valid head, then a chunk size that is not hex, as the very first body bytes
                case "badchunk" ->
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nX-Upstream: 1\r\nContent-Type: application/json\r\n"
                                    + "Content-Encoding: gzip\r\nSet-Cookie: upstream=1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + "zz\r\n{\"partial\":\r\n0\r\n\r\n");
                // a valid head promising a body, then the connection closes before any of it
                case "headonly" ->
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nX-Upstream: 1\r\nSet-Cookie: upstream=1\r\n"
                                    + "X-Request-Id: from-upstream\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
                // the head itself cut short
                case "cuthead" -> send(out, "HTTP/1.1 200 OK\r\nX-Upstream: 1\r\nContent-Ty");
                case "closeearly" -> {
                    // read the request, say nothing, close
                }
                // the head and 11 of 1000 bytes, a pause (the gateway has sent the head on), then the end
                case "cutbody" -> {
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                                    + "{\"partial\":");
                    pause();
                }
                case "cutchunked" -> {
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + "b\r\n{\"partial\":\r\n");
                    pause();
                }
                // a good first chunk, a pause, then a chunk size that is not hex (and the connection left open)
                case "badchunkmid" -> {
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + "b\r\n{\"partial\":\r\n");
                    pause();
                    send(out, "zz\r\nmore\r\n");
                }
                // a long body, slowly: until the gateway closes the connection (its client went away), or 10 s
                case "slowbody" -> {
                    send(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                                    + "{\"partial\":");
                    for (int i = 0; i < 200; i++) {
                        pause(50);
                        send(out, " ".repeat(100));
                    }
                }
                default -> throw new IllegalStateException(script);
            }
        }

        /** Holds the connection open (reading what comes) until the gateway closes it, then records that it did. */
        private void holdUntilClosed(Socket socket, InputStream in, String path) throws IOException {
            socket.setSoTimeout(HOLD_MILLIS);
            try {
                while (in.read() != -1) {
                    // the gateway has nothing more to send on a broken connection; drain whatever it is
                }
                ended.add(path);
            } catch (SocketTimeoutException heldOpen) {
                // the gateway neither closed nor reused it: not recorded as closed
            } catch (IOException reset) {
                ended.add(path);
            }
        }

        private static void pause() {
            pause(300);
        }

        private static void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void send(OutputStream out, String text) throws IOException {
            out.write(ascii(text));
            out.flush();
        }

        private static byte[] ascii(String text) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }

        private static String script(String path) {
            String[] segments = path.split("\\?", 2)[0].split("/");
            for (int i = segments.length - 1; i >= 0; i--) {
                int dash = segments[i].indexOf('-');
                if (dash > 0 && SCRIPTS.contains(segments[i].substring(0, dash))) {
                    return segments[i].substring(0, dash);
                }
            }
            return "ok";
        }

        /** Reads one request (head and body), counts it by path; null when the connection ended first. */
        private @Nullable String readRequest(InputStream in) throws IOException {
            String requestLine = line(in);
            if (requestLine == null) {
                return null;
            }
            String path = requestLine.split(" ")[1];
            long length = 0;
            boolean chunked = false;
            String header;
            while ((header = line(in)) != null && !header.isEmpty()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(header.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            received.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            long body = chunked ? readChunked(in) : in.readNBytes((int) length).length;
            bodyBytes.merge(path, body, Long::sum);
            return path;
        }

        private static long readChunked(InputStream in) throws IOException {
            long total = 0;
            while (true) {
                String size = line(in);
                if (size == null) {
                    return total;
                }
                int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
                if (n == 0) {
                    String trailer;
                    while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                        // trailers are ignored
                    }
                    return total;
                }
                total += in.readNBytes(n).length;
                line(in);
            }
        }

        private static @Nullable String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            return null;
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
