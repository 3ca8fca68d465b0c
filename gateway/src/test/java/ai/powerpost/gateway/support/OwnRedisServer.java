package ai.powerpost.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import redis.embedded.RedisServer;

/**
 * A redis-server process of a test's own, on a fixed port with its data saved to disk, so the
 * test can stop it (as an outage) and start it again with the same data (as a recovery). Closing
 * it deletes the data.
 */
public final class OwnRedisServer implements AutoCloseable {

    private final int port = RedisSupport.freePort();
    private final Path dir;
    private RedisServer server;

    public OwnRedisServer() {
        try {
            dir = Files.createTempDirectory("redis-outage-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    public void start() {
        try {
            server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("appendonly yes")
                    .setting("appendfsync always")
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server if it runs, and deletes its data directory. */
    @Override
    public void close() {
        if (server != null && server.isActive()) {
            stop();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
