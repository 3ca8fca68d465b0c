package ai.powerpost.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A tiny HTTP/1.1 client on a plain socket, for requests that a real client library normalises
 * away: dot segments, encoded slashes, backslashes, absolute-form targets, lower-case methods,
 * repeated headers, raw non-ASCII bytes, oversized request lines and header blocks. The request is
 * written exactly as given (ISO-8859-1 for text, or raw bytes); the answer is read with a socket
 * timeout, so a gateway that hangs fails the test instead of blocking it.
 */
public final class RawHttp {

    private static final int TIMEOUT_MILLIS = 10_000;

    private RawHttp() {}

    /** What came back: {@code status} is -1 when the connection closed without an answer. */
    public record Response(int status, String statusLine, Map<String, List<String>> headers, String body) {

        public boolean answered() {
            return status > 0;
        }

        public @Nullable String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** {@code error.code} of a PowerPost error body, or null. */
        public @Nullable String errorCode() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "\"error\"\\s*:\\s*\\{\\s*\"code\"\\s*:\\s*\"([^\"]*)\"")
                    .matcher(body);
            return m.find() ? m.group(1) : null;
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + body;
        }
    }

    /** A request built line by line; {@code Connection: close} is added unless a Connection header is set. */
    public static Builder request(String method, String target) {
        return new Builder(method + " " + target + " HTTP/1.1");
    }

    public static final class Builder {
        private final String requestLine;
        private final List<String[]> headers = new ArrayList<>();
        private byte[] body = new byte[0];

        private Builder(String requestLine) {
            this.requestLine = requestLine;
        }

        /** Adds a header line; calling it twice with one name sends the header twice. */
        public Builder header(String name, String value) {
            headers.add(new String[] {name, value});
            return this;
        }

        public Builder body(String text) {
            this.body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public byte[] bytes(int port, boolean utf8) {
            StringBuilder head = new StringBuilder(requestLine).append("\r\n");
            boolean host = false;
            boolean connection = false;
            for (String[] h : headers) {
                host |= h[0].equalsIgnoreCase("Host");
                connection |= h[0].equalsIgnoreCase("Connection");
            }
            if (!host) {
                head.append("Host: 127.0.0.1:").append(port).append("\r\n");
            }
            for (String[] h : headers) {
                head.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            if (!connection) {
                head.append("Connection: close\r\n");
            }
            if (body.length > 0) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] start = head.toString().getBytes(utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            byte[] all = new byte[start.length + body.length];
            System.arraycopy(start, 0, all, 0, start.length);
            System.arraycopy(body, 0, all, start.length, body.length);
            return all;
        }

        /** Sends the request, text as ISO-8859-1 (one byte per char). */
        public Response send(int port) {
            return RawHttp.send(port, bytes(port, false));
        }

        /** Sends the request, text as UTF-8 (for raw non-ASCII bytes on the wire). */
        public Response sendUtf8(int port) {
            return RawHttp.send(port, bytes(port, true));
        }
    }

    /** Writes {@code request} as it is and reads one response. */
    public static Response send(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException refusedMidWay) {
                // the server may answer and close before it has read an oversized request: read what it said
            }
            return read(socket.getInputStream());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + TIMEOUT_MILLIS + " ms (the gateway hangs)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection kept open across several writes and reads: pipelining, slow clients, bodies that end badly. */
    public static Conn open(int port) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return new Conn(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        private Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        /** Writes the text as ISO-8859-1 bytes; false if the gateway had already closed or reset the connection. */
        public boolean write(String text) {
            return write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        public boolean write(byte[] bytes) {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(bytes);
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** Reads one response; {@code status} -1 when the connection closed (or reset) first. */
        public Response read() {
            try {
                return RawHttp.read(in);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within " + TIMEOUT_MILLIS + " ms (the gateway hangs)", e);
            } catch (IOException e) {
                return new Response(-1, "", Map.of(), "");
            }
        }

        /** Whether the gateway closes the connection (EOF or reset) within {@code millis}, discarding what it still sends. */
        public boolean closesWithin(long millis) {
            long deadline = System.nanoTime() + millis * 1_000_000L;
            try {
                while (System.nanoTime() < deadline) {
                    socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
                    if (in.read() == -1) {
                        return true;
                    }
                }
                return false;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        public void soTimeout(int millis) {
            try {
                socket.setSoTimeout(millis);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (java.net.SocketException reset) {
            return new Response(-1, "", Map.of(), "");
        }
        if (statusLine == null || statusLine.isEmpty()) {
            return new Response(-1, "", Map.of(), "");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(
                            line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        byte[] body;
        List<String> length = headers.get("content-length");
        List<String> encoding = headers.get("transfer-encoding");
        if (status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
            body = chunked(in);
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length.get(0)));
        } else {
            body = readToEnd(in);
        }
        return new Response(status, statusLine, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                break;
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                String trailer;
                while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                    // trailers are ignored
                }
                break;
            }
            out.write(in.readNBytes(n));
            line(in);
        }
        return out.toByteArray();
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (java.net.SocketException reset) {
            return new byte[0];
        }
    }

    /** One line of an HTTP head, without its CRLF (or LF); null at the end of the stream. */
    static @Nullable String line(InputStream in) throws IOException {
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
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
