package ai.powerpost.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay between the gateway and a real Redis server that can cut the line: every
 * connection through it closed at once, and new ones refused for a while (a network blip, or a
 * Redis restart as the client sees it). It can also cut the line right after forwarding a request
 * that contains given text, before the server's reply can come back: the command has run, and
 * the client never learns it (a reply lost with its connection).
 */
public final class DisconnectingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicReference<List<String>> cutAfter = new AtomicReference<>();
    private volatile long refusingUntilNanos = System.nanoTime();
    private volatile boolean closed;

    public DisconnectingProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "disconnecting-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "redis://127.0.0.1:" + server.getLocalPort();
    }

    /** Closes every connection now and refuses new ones (accepted, then closed) for {@code millis}. */
    public void cut(long millis) {
        refusingUntilNanos = System.nanoTime() + millis * 1_000_000;
        closeAll();
    }

    /**
     * Arms a cut: the first request chunk from a client that contains every one of {@code texts}
     * is forwarded to the server, then every connection is closed before anything more (its reply
     * included) goes back, and new ones are refused for {@code millis}.
     */
    public void cutAfterForwarding(long millis, String... texts) {
        armedRefusal = millis;
        cutAfter.set(List.of(texts));
    }

    private volatile long armedRefusal;

    /** True while an armed cut has not happened yet. */
    public boolean armed() {
        return cutAfter.get() != null;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (System.nanoTime() - refusingUntilNanos < 0) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                open.add(client);
                open.add(upstream);
                Link link = new Link();
                start(() -> pump(client, upstream, true, link), "disconnecting-proxy-up");
                start(() -> pump(upstream, client, false, link), "disconnecting-proxy-down");
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Once a cut has begun on a connection, nothing more crosses it in either direction. */
    private static final class Link {
        volatile boolean cut;
    }

    private void pump(Socket from, Socket to, boolean request, Link link) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (link.cut) {
                    return;
                }
                List<String> texts = request ? cutAfter.get() : null;
                boolean cutNow = false;
                if (texts != null) {
                    String chunk = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                    cutNow = texts.stream().allMatch(chunk::contains) && cutAfter.compareAndSet(texts, null);
                }
                if (cutNow) {
                    link.cut = true; // set before the request leaves: its reply can never be relayed
                    out.write(buffer, 0, n);
                    out.flush();
                    cut(armedRefusal);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: the other goes too
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void start(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void closeAll() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        closeAll();
    }
}
