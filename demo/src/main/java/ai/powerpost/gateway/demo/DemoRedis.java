package ai.powerpost.gateway.demo;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * The demo's own Redis: the {@code redis-server} binary shipped in embedded-redis, a child process
 * on a free loopback port, nothing persisted.
 *
 * <p>It is started and stopped here rather than through embedded-redis's {@code RedisServer},
 * which stops the server from a JVM shutdown hook of its own, beside Spring's: Redis would then go
 * while the gateway still drains and flushes. {@link #close()} is called after the gateway's
 * context has closed. Its output goes to a temporary file, quoted when it does not start.
 */
final class DemoRedis implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;

    private DemoRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server and returns once it answers a PING. */
    static DemoRedis start() throws IOException {
        File binary = ExecutableProvider.newJarResourceProvider().get();
        int port = freePort();
        Path log = Files.createTempFile("gateway-demo-redis-", ".log");
        log.toFile().deleteOnExit();
        Process process = new ProcessBuilder(
                        binary.getAbsolutePath(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        LOOPBACK,
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        DemoRedis redis = new DemoRedis(process, port);
        try {
            redis.awaitPing(log);
        } catch (IOException | RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    int port() {
        return port;
    }

    String url() {
        return "redis://" + LOOPBACK + ":" + port;
    }

    /** SIGTERM, then a bounded wait; a server that does not stop in time is killed. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitPing(Path log) throws IOException {
        RedisClient client = RedisClient.create(url());
        try {
            Instant deadline = Instant.now().plus(START_TIMEOUT);
            while (true) {
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    connection.sync().ping();
                    return;
                } catch (RedisConnectionException notYet) {
                    if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                        throw new IOException(
                                "the demo's redis-server (embedded-redis's binary; it needs OpenSSL 3) "
                                        + "did not start on " + LOOPBACK + ":" + port + ":\n" + Files.readString(log),
                                notYet);
                    }
                    pause();
                }
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
