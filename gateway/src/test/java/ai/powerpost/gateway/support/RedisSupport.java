package ai.powerpost.gateway.support;

import ai.powerpost.gateway.redis.RedisSchema;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;

/**
 * One real Redis server for the whole test JVM: a Testcontainers container where a Docker engine
 * answers, otherwise the {@code redis-server} binary shipped in embedded-redis on a free loopback
 * port. There is no third way: if neither starts, every test that needs Redis fails, loudly.
 * Tests isolate themselves by using fresh account ids and keys, never by flushing.
 */
public final class RedisSupport {

    private static final Logger log = LoggerFactory.getLogger(RedisSupport.class);
    private static final String IMAGE = "redis:7.4-alpine";

    private static RedisSupport instance;

    private final String host;
    private final int port;
    private final RedisServer embedded;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private RedisSupport(String host, int port, RedisServer embedded) {
        this.host = host;
        this.port = port;
        this.embedded = embedded;
        this.client = RedisClient.create(url(host, port));
        this.connection = client.connect();
    }

    /** The shared server, started on first use. */
    public static synchronized RedisSupport redis() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::shutdown, "redis-support-stop"));
        }
        return instance;
    }

    private static RedisSupport start() {
        if (dockerAvailable()) {
            GenericContainer<?> container = new GenericContainer<>(IMAGE).withExposedPorts(6379);
            container.start();
            log.info(
                    "Redis for the tests: Testcontainers, {} at {}:{}",
                    IMAGE,
                    container.getHost(),
                    container.getMappedPort(6379));
            return new RedisSupport(container.getHost(), container.getMappedPort(6379), null);
        }
        try {
            int port = freePort();
            RedisServer server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
            log.info(
                    "Redis for the tests: no Docker engine answered, so embedded-redis's redis-server binary "
                            + "at 127.0.0.1:{}",
                    port);
            return new RedisSupport("127.0.0.1", port, server);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "No Redis for the tests: no Docker engine, and the embedded "
                            + "redis-server binary did not start (it needs OpenSSL 3)",
                    e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    public String url() {
        return url(host, port);
    }

    public int port() {
        return port;
    }

    /** Synchronous commands for test set-up and assertions (never used by the gateway itself). */
    public RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /**
     * Writes a key record without a tag directly, as a writer other than the key management API
     * does (docs/redis-schema.md): the record, then its hash into the untagged-key set, then the
     * announcement, so every gateway replica's filter holds it.
     */
    public void writeUntaggedKey(String keyHash, Map<String, String> fields) {
        commands().hset(RedisSchema.keyRecord(keyHash), fields);
        commands().sadd(RedisSchema.UNTAGGED_KEYS, keyHash);
        commands().publish(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.UNTAGGED_MESSAGE + keyHash);
    }

    /** Total calls of one command since the server started, from {@code INFO commandstats}. */
    public long calls(String command) {
        String stats = commands().info("commandstats");
        String prefix = "cmdstat_" + command.toLowerCase() + ":calls=";
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    private void shutdown() {
        connection.close();
        client.shutdown();
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String url(String host, int port) {
        return "redis://" + host + ":" + port;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
