package ai.powerpost.gateway.support;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP upstream on a random loopback port that keeps every request it received: method,
 * URI, headers, and the body's size (bodies are counted, never held whole, so large uploads can
 * pass). Answers 200 with a small JSON body, or the status named by {@code X-Test-Status} with
 * PowerPost's error body, so tests can check that upstream answers pass through untouched.
 */
public final class RecordingUpstream implements AutoCloseable {

    public static final String STATUS_HEADER = "X-Test-Status";

    /** What the upstream received. */
    public record Received(String method, String uri, Map<String, List<String>> headers, long bodyBytes) {

        public List<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .toList();
        }

        public String first(String name) {
            List<String> values = header(name);
            return values.isEmpty() ? null : values.get(0);
        }
    }

    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final DisposableServer server;

    public RecordingUpstream() {
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle(this::handle)
                .bindNow();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        return request.receive()
                .map(ByteBuf::readableBytes)
                .reduce(0L, Long::sum)
                .flatMap(size -> {
                    received.add(
                            new Received(request.method().name(), request.uri(), copy(request.requestHeaders()), size));
                    String status = request.requestHeaders().get(STATUS_HEADER);
                    if (status != null) {
                        return response.status(HttpResponseStatus.valueOf(Integer.parseInt(status)))
                                .header("Content-Type", "application/json")
                                .sendString(
                                        Mono.just("{\"error\":{\"code\":\"UPSTREAM\",\"message\":\"from upstream\"}}"))
                                .then();
                    }
                    String body =
                            "{\"ok\":true,\"uri\":\"" + request.uri().replace("\"", "") + "\",\"bytes\":" + size + "}";
                    return response.status(200)
                            .header("Content-Type", "application/json")
                            .sendByteArray(Mono.just(body.getBytes(StandardCharsets.UTF_8)))
                            .then();
                });
    }

    private static Map<String, List<String>> copy(HttpHeaders headers) {
        Map<String, List<String>> copy = new java.util.LinkedHashMap<>();
        for (String name : headers.names()) {
            copy.put(name, List.copyOf(headers.getAll(name)));
        }
        return copy;
    }

    public String uri() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Every request received so far whose URI starts with {@code prefix}. */
    public List<Received> receivedUnder(String prefix) {
        List<Received> matching = new ArrayList<>();
        for (Received r : received) {
            if (r.uri().startsWith(prefix)) {
                matching.add(r);
            }
        }
        return matching;
    }

    public List<Received> all() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
