package ai.powerpost.gateway.support;

import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real upstream on a random loopback port whose behaviour is chosen by a path segment's prefix: {@code hang-…} never answers, {@code slow<ms>-…} answers after that many milliseconds,
 * {@code reset-…} starts a response and drops the connection mid-body, {@code fail-…} answers 500,
 * anything else 200. Counts every request it received by path.
 */
public final class MisbehavingUpstream implements AutoCloseable {

    private static final String RESET = "reset by test";

    /** Reactor Netty's ERROR for the reset this upstream makes on purpose; any other still prints. */
    private static final ExpectedLogs OWN_RESETS = ExpectedLogs.expect(
            "reactor.netty.http.server.HttpServerOperations",
            Level.ERROR,
            event -> event.getThrowableProxy() != null
                    && RESET.equals(event.getThrowableProxy().getMessage()));

    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final DisposableServer server;

    public MisbehavingUpstream() {
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle(this::handle)
                .bindNow();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String path = request.fullPath();
        received.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        String last = behaviour(path);
        Mono<Void> drained = request.receive().map(ByteBuf::readableBytes).then();
        if (last.startsWith("hang-")) {
            return drained.then(Mono.never());
        }
        if (last.startsWith("slow")) {
            long millis = Long.parseLong(last.substring(4, last.indexOf('-')));
            return drained.then(Mono.delay(Duration.ofMillis(millis))).then(ok(response));
        }
        if (last.startsWith("reset-")) {
            // headers and part of the body go out, then the stream fails: Netty aborts the connection
            return drained.then(response.status(200)
                    .header("Content-Length", "1000")
                    .sendString(Flux.concat(
                            Mono.just("{\"partial\":"),
                            Mono.delay(Duration.ofMillis(50)).then(Mono.error(new IOException(RESET)))))
                    .then());
        }
        if (last.startsWith("fail-")) {
            return drained.then(response.status(500)
                    .header("Content-Type", "application/json")
                    .sendString(Mono.just("{\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":\"upstream broke\"}}"))
                    .then());
        }
        return drained.then(ok(response));
    }

    /** The first path segment that names a behaviour, else the last segment. */
    private static String behaviour(String path) {
        for (String segment : path.split("/")) {
            if (segment.startsWith("hang-")
                    || segment.startsWith("slow")
                    || segment.startsWith("reset-")
                    || segment.startsWith("fail-")) {
                return segment;
            }
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static Mono<Void> ok(HttpServerResponse response) {
        return response.status(200)
                .header("Content-Type", "application/json")
                .sendString(Mono.just("{\"ok\":true}"))
                .then();
    }

    /** Requests received on every path that starts with {@code prefix}. */
    public int receivedMatching(String prefix) {
        return received.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    public String uri() {
        return "http://127.0.0.1:" + server.port();
    }

    /** How many requests arrived for exactly this path. */
    public int received(String path) {
        AtomicInteger count = received.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
