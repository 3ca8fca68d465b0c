package ai.powerpost.gateway.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * An upstream on a raw socket that records, for every request it began to receive, whether the
 * request arrived <em>complete</em>: the whole head, then exactly {@code Content-Length} body bytes
 * or a chunked body up to and including its terminating zero chunk and trailer section. A request
 * whose connection closed or reset before that is recorded as incomplete, with the body bytes that
 * did arrive. Only a complete request is answered (200, a small JSON body, keep-alive); so a
 * "phantom" request, one the gateway completed on the client's behalf although the client's body
 * ended badly, shows up here as complete.
 *
 * <p>It parses as strictly as a careful backend would, on purpose independently of Netty, the
 * gateway's own HTTP stack. Plain blocking sockets, a thread per connection: test code only.
 */
public final class FramingUpstream implements AutoCloseable {

    /** One request as received: {@code complete} only if its framing ended properly. */
    public record Received(
            String method,
            String target,
            Map<String, List<String>> headers,
            long bodyBytes,
            boolean complete,
            boolean chunked) {

        public String first(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "framing-upstream");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    public FramingUpstream() {
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        threads.execute(this::accept);
    }

    public String uri() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                String[] parts = requestLine.split(" ", 3);
                Map<String, List<String>> headers = new LinkedHashMap<>();
                String header;
                while ((header = line(in)) != null && !header.isEmpty()) {
                    int colon = header.indexOf(':');
                    headers.computeIfAbsent(
                                    header.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(header.substring(colon + 1).trim());
                }
                if (header == null) {
                    received.add(new Received(parts[0], parts.length > 1 ? parts[1] : "", headers, 0, false, false));
                    return;
                }
                Body body = readBody(in, headers);
                received.add(new Received(parts[0], parts[1], headers, body.bytes, body.complete, body.chunked));
                if (!body.complete) {
                    return;
                }
                String json = "{\"ok\":true,\"bytes\":" + body.bytes + "}";
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length()
                                + "\r\n\r\n" + json)
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the gateway closed or reset the connection: whatever arrived is recorded
        }
    }

    private record Body(long bytes, boolean complete, boolean chunked) {}

    private static Body readBody(InputStream in, Map<String, List<String>> headers) throws IOException {
        List<String> encoding = headers.get("transfer-encoding");
        if (encoding != null) {
            long total = 0;
            try {
                while (true) {
                    String size = line(in);
                    if (size == null) {
                        return new Body(total, false, true);
                    }
                    int semicolon = size.indexOf(';');
                    long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                    if (n == 0) {
                        String trailer;
                        while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                            // trailers are read and ignored
                        }
                        return new Body(total, trailer != null, true);
                    }
                    long read = skip(in, n);
                    total += read;
                    if (read < n || !"".equals(line(in))) {
                        return new Body(total, false, true);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return new Body(total, false, true);
            }
        }
        List<String> length = headers.get("content-length");
        if (length == null) {
            return new Body(0, true, false);
        }
        long declared = Long.parseLong(length.get(0));
        try {
            long read = skip(in, declared);
            return new Body(read, read == declared, false);
        } catch (IOException e) {
            return new Body(0, false, false);
        }
    }

    private static long skip(InputStream in, long n) throws IOException {
        long read = 0;
        byte[] buffer = new byte[8192];
        while (read < n) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, n - read));
            if (r < 0) {
                break;
            }
            read += r;
        }
        return read;
    }

    private static String line(InputStream in) throws IOException {
        return RawHttp.line(in);
    }

    /** Every request received whose target starts with {@code prefix}. */
    public List<Received> receivedUnder(String prefix) {
        return received.stream().filter(r -> r.target().startsWith(prefix)).toList();
    }

    /** Waits until a request under {@code prefix} has been recorded (complete or not), at most {@code timeout}. */
    public List<Received> awaitUnder(String prefix, Duration timeout) {
        return await(r -> r.target().startsWith(prefix), timeout);
    }

    private List<Received> await(Predicate<Received> which, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> matching = received.stream().filter(which).toList();
            if (!matching.isEmpty()) {
                return matching;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return received.stream().filter(which).toList();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        threads.shutdownNow();
    }
}
