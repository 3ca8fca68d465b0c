package ai.powerpost.gateway.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 exchange on a plain socket that says whether the response arrived whole: a real
 * client library hides a body cut short behind an exception, or (close-delimited) not at all.
 * Here a Content-Length body must arrive in full and a chunked body must end with its zero chunk
 * for {@link Reply#complete()}; a connection cut before that is reported, never thrown. Reads with
 * a socket timeout, so a gateway that hangs fails the test instead of blocking it.
 */
final class RawClient {

    private static final int TIMEOUT_MILLIS = 10_000;

    private RawClient() {}

    /**
     * What came back. {@code status} is -1 when the connection closed before a status line;
     * {@code complete} is true only when the body's framing ended as declared.
     */
    record Reply(int status, Map<String, List<String>> headers, byte[] body, boolean complete) {

        @Nullable
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        boolean has(String name) {
            return headers.containsKey(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body.length + " bytes" + (complete ? "" : " (incomplete)") + ": "
                    + (body.length > 200 ? text().substring(0, 200) + "…" : text());
        }
    }

    /**
     * Sends a request with {@code headers}, {@code Connection: close} and {@code body} (with its
     * Content-Length when not empty), reads one reply.
     */
    static Reply exchange(int port, String method, String target, Map<String, String> headers, byte[] body) {
        return send(port, request(port, method, target, headers, body.length > 0 ? body.length : -1, body), method);
    }

    /** Sends a request whose body is already framed as chunks (each given chunk, then the zero chunk), reads one reply. */
    static Reply exchangeChunked(
            int port, String method, String target, Map<String, String> headers, String... chunks) {
        StringBuilder body = new StringBuilder();
        for (String chunk : chunks) {
            body.append(Integer.toHexString(chunk.length()))
                    .append("\r\n")
                    .append(chunk)
                    .append("\r\n");
        }
        body.append("0\r\n\r\n");
        Map<String, String> chunked = new LinkedHashMap<>(headers);
        chunked.put("Transfer-Encoding", "chunked");
        return send(
                port,
                request(port, method, target, chunked, -1, body.toString().getBytes(StandardCharsets.ISO_8859_1)),
                method);
    }

    /**
     * Sends a GET, reads the status line and goes away (closes the connection) before the body:
     * a client that stopped waiting. Returns the status, or -1 when none came.
     */
    static int getThenHangUp(int port, String target, Map<String, String> headers) {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(request(port, "GET", target, headers, -1, new byte[0]));
            out.flush();
            String statusLine = line(new BufferedInputStream(socket.getInputStream()));
            return statusLine == null || statusLine.isEmpty()
                    ? -1
                    : Integer.parseInt(statusLine.split(" ", 3)[1]);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no status line within " + TIMEOUT_MILLIS + " ms: the gateway hangs", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] request(
            int port, String method, String target, Map<String, String> headers, long contentLength, byte[] body) {
        StringBuilder head = new StringBuilder(method)
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:")
                .append(port)
                .append("\r\n");
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Connection: close\r\n");
        if (contentLength >= 0) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        byte[] start = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[start.length + body.length];
        System.arraycopy(start, 0, all, 0, start.length);
        System.arraycopy(body, 0, all, start.length, body.length);
        return all;
    }

    private static Reply send(int port, byte[] request, String method) {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException refusedMidWay) {
                // the gateway may answer and close before it has read the whole request: read what it said
            }
            return read(new BufferedInputStream(socket.getInputStream()), "HEAD".equals(method));
        } catch (SocketTimeoutException e) {
            throw new AssertionError(
                    "no (complete) answer and no close within " + TIMEOUT_MILLIS + " ms: the gateway hangs", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static Reply read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        if (statusLine == null || statusLine.isEmpty()) {
            return new Reply(-1, Map.of(), new byte[0], false);
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        if (line == null) {
            return new Reply(status, headers, new byte[0], false);
        }
        if (head || status < 200 || status == 204 || status == 304) {
            return new Reply(status, headers, new byte[0], true);
        }
        List<String> encoding = headers.get("transfer-encoding");
        List<String> length = headers.get("content-length");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;
        if (encoding != null && encoding.get(encoding.size() - 1).equalsIgnoreCase("chunked")) {
            complete = chunked(in, body);
        } else if (length != null) {
            int declared = Integer.parseInt(length.get(0));
            complete = copy(in, body, declared) == declared;
        } else {
            copy(in, body, Integer.MAX_VALUE);
            complete = true; // close-delimited: nothing to compare against
        }
        return new Reply(status, headers, body.toByteArray(), complete);
    }

    /** Whether the zero chunk and the end of the trailer section arrived. */
    private static boolean chunked(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String size = line(in);
            if (size == null) {
                return false;
            }
            int semicolon = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException malformed) {
                return false;
            }
            if (n == 0) {
                String trailer;
                while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                    // trailers are ignored
                }
                return trailer != null;
            }
            if (copy(in, body, n) < n || line(in) == null) {
                return false;
            }
        }
    }

    /** Copies up to {@code max} bytes; fewer when the connection ends (closed or reset) first. */
    private static int copy(InputStream in, ByteArrayOutputStream out, int max) throws IOException {
        byte[] buffer = new byte[8192];
        int total = 0;
        try {
            while (total < max) {
                int n = in.read(buffer, 0, Math.min(buffer.length, max - total));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                total += n;
            }
        } catch (SocketException reset) {
            // a reset is a cut connection too
        }
        return total;
    }

    private static @Nullable String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
        } catch (SocketException reset) {
            // treated as the end of the stream
        }
        return null;
    }
}
