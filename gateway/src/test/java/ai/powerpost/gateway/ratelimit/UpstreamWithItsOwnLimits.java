package ai.powerpost.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP upstream that answers 200 with X-RateLimit-* headers of its own (as a backend with
 * its own, looser limits would) and counts the requests it received per verified key id
 * ({@code X-PowerPost-Key-Id}, set by the gateway).
 */
final class UpstreamWithItsOwnLimits implements AutoCloseable {

    static final String UPSTREAM_LIMIT = "5000";

    private final Map<String, AtomicInteger> byKeyId = new ConcurrentHashMap<>();
    private final DisposableServer server;

    UpstreamWithItsOwnLimits() {
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle(this::handle)
                .bindNow();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().then(Mono.defer(() -> {
            String keyId = request.requestHeaders().get("X-PowerPost-Key-Id", "none");
            byKeyId.computeIfAbsent(keyId, k -> new AtomicInteger()).incrementAndGet();
            return response.status(200)
                    .header("Content-Type", "application/json")
                    .header("X-RateLimit-Limit", UPSTREAM_LIMIT)
                    .header("X-RateLimit-Remaining", "4999")
                    .header("X-RateLimit-Reset", "1")
                    .sendByteArray(Mono.just("{\"ok\":true}".getBytes(StandardCharsets.UTF_8)))
                    .then();
        }));
    }

    String uri() {
        return "http://127.0.0.1:" + server.port();
    }

    int received(String keyId) {
        AtomicInteger count = byKeyId.get(keyId);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
