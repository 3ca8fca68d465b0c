package ai.powerpost.gateway.leaks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in for GitHub's key list: a real HTTP server on a random loopback port serving
 * {@code {"public_keys":[…]}} for the keys it is given, or failing (500) when told to; it counts
 * the fetches it was asked for.
 */
final class GithubKeyServer implements AutoCloseable {

    static final String PATH = "/meta/public_keys/secret_scanning";

    private final HttpServer server;
    private final AtomicReference<String> list = new AtomicReference<>("{\"public_keys\":[]}");
    private final AtomicReference<Boolean> failing = new AtomicReference<>(false);
    private final AtomicInteger fetches = new AtomicInteger();

    GithubKeyServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(PATH, exchange -> {
            fetches.incrementAndGet();
            byte[] body = failing.get()
                    ? "{\"message\":\"Server Error\"}".getBytes(StandardCharsets.UTF_8)
                    : list.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(failing.get() ? 500 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** Serves these keys from now on (and stops failing). */
    void serve(GithubKeys... keys) {
        list.set(GithubKeys.list(keys));
        failing.set(false);
    }

    /** Answers 500 from now on. */
    void fail() {
        failing.set(true);
    }

    int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
