package ai.powerpost.gateway.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every command the Redis server executes while this monitor is open, as the server itself
 * reports it ({@code MONITOR}). Lines of commands run inside a script are marked {@code [… lua]}
 * by the server, so a test can tell a client's round trips from a script's internal calls.
 */
public final class RedisMonitor implements AutoCloseable {

    private final Socket socket;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    public RedisMonitor() {
        try {
            socket = new Socket("127.0.0.1", RedisSupport.redis().port());
            OutputStream out = socket.getOutputStream();
            out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String ok = in.readLine();
            if (!"+OK".equals(ok)) {
                throw new IllegalStateException("MONITOR refused: " + ok);
            }
            reader = new Thread(() -> read(in), "redis-monitor");
            reader.setDaemon(true);
            reader.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException closed) {
            // the monitor was closed
        }
    }

    /**
     * Commands sent by clients (not run inside scripts), lower-cased, e.g. {@code "hgetall" "ppgw:…"},
     * up to and excluding a marker this method sends itself, so every command sent before the call
     * has been seen.
     */
    public List<String> clientCommandsSoFar() {
        String marker = "monitor-marker-" + System.nanoTime();
        RedisSupport.redis().commands().echo(marker);
        long deadline = System.currentTimeMillis() + 5000;
        while (lines.stream().noneMatch(line -> line.contains(marker)) && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        return lines.stream()
                .takeWhile(line -> !line.contains(marker))
                .filter(line -> !line.contains(" lua] "))
                .map(line -> line.substring(line.indexOf("] ") + 2).toLowerCase())
                .toList();
    }

    @Override
    public void close() {
        try {
            socket.close();
            reader.join(2000);
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
