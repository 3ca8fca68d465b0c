package ai.powerpost.gateway.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis Sentinel deployment of a test's own, all on loopback: a primary, a replica and three
 * sentinels (quorum 2, a primary is down after 1 s), each a {@code redis-server} process (the
 * binary of embedded-redis) started here, so the test can SIGKILL the primary or stall it
 * ({@code DEBUG SLEEP}) and watch Sentinel promote the replica. Closing it stops every process and
 * deletes their directories. Fails loudly if a process does not come up.
 */
public final class RedisSentinelSupport implements AutoCloseable {

    public static final String MASTER = "mymaster";

    /** One redis-server process. */
    public static final class Node {
        final int port;
        final Process process;

        Node(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        public int port() {
            return port;
        }
    }

    private final Path root;
    private final File binary;
    private final List<Node> servers = new ArrayList<>();
    private final List<Node> sentinels = new ArrayList<>();
    private final RedisClient client = RedisClient.create();

    private RedisSentinelSupport() {
        try {
            root = Files.createTempDirectory("redis-sentinel-");
            binary = ExecutableProvider.newJarResourceProvider().get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the primary, the replica and the three sentinels, and waits until Sentinel knows all of them. */
    public static RedisSentinelSupport start() {
        RedisSentinelSupport support = new RedisSentinelSupport();
        try {
            int primary = RedisSupport.freePort();
            support.servers.add(support.server(primary, null));
            support.servers.add(support.server(RedisSupport.freePort(), primary));
            for (int i = 0; i < 3; i++) {
                support.sentinels.add(support.sentinel(RedisSupport.freePort(), primary));
            }
            support.await(Duration.ofSeconds(30), "the replica in sync and known to every sentinel", () -> {
                String replication =
                        support.commands(support.servers.get(1).port).info("replication");
                if (!replication.contains("master_link_status:up")) {
                    return false;
                }
                for (Node sentinel : support.sentinels) {
                    if (support.sentinelCommands(sentinel.port).replicas(MASTER).isEmpty()
                            || Integer.parseInt(support.sentinelCommands(sentinel.port)
                                            .master(MASTER)
                                            .getOrDefault("num-other-sentinels", "0"))
                                    < 2) {
                        return false;
                    }
                }
                return true;
            });
            return support;
        } catch (RuntimeException | Error e) {
            support.close();
            throw e;
        }
    }

    private Node server(int port, Integer replicaOf) {
        List<String> command = new ArrayList<>(List.of(
                binary.getAbsolutePath(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                directory("server-" + port).toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--enable-debug-command",
                "yes"));
        if (replicaOf != null) {
            command.addAll(List.of("--replicaof", "127.0.0.1", replicaOf.toString()));
        }
        return started(port, command);
    }

    private Node sentinel(int port, int primary) {
        Path dir = directory("sentinel-" + port);
        Path conf = dir.resolve("sentinel.conf");
        try {
            Files.writeString(
                    conf,
                    String.join(
                            "\n",
                            "port " + port,
                            "bind 127.0.0.1",
                            "dir " + dir,
                            "sentinel resolve-hostnames no",
                            "sentinel monitor " + MASTER + " 127.0.0.1 " + primary + " 2",
                            "sentinel down-after-milliseconds " + MASTER + " 1000",
                            "sentinel failover-timeout " + MASTER + " 5000",
                            "sentinel parallel-syncs " + MASTER + " 1",
                            ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return started(port, List.of(binary.getAbsolutePath(), conf.toString(), "--sentinel"));
    }

    private Node started(int port, List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(directory("log-" + port).resolve("out.log").toFile())
                    .start();
            Node node = new Node(port, process);
            await(Duration.ofSeconds(10), "redis-server on port " + port, () -> {
                try {
                    return "PONG".equals(commands(port).ping());
                } catch (RuntimeException e) {
                    return false;
                }
            });
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path directory(String name) {
        try {
            return Files.createDirectories(root.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final java.util.Map<Integer, StatefulRedisConnection<String, String>> connections =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Commands to the server on {@code port} (a connection of the test's own). */
    public RedisCommands<String, String> commands(int port) {
        return connections
                .computeIfAbsent(port, p -> {
                    StatefulRedisConnection<String, String> connection =
                            client.connect(RedisURI.create("redis://127.0.0.1:" + p));
                    connection.setTimeout(Duration.ofSeconds(5));
                    return connection;
                })
                .sync();
    }

    private final java.util.Map<Integer, io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection<String, String>>
            sentinelConnections = new java.util.concurrent.ConcurrentHashMap<>();

    private io.lettuce.core.sentinel.api.sync.RedisSentinelCommands<String, String> sentinelCommands(int port) {
        return sentinelConnections
                .computeIfAbsent(port, p -> client.connectSentinel(RedisURI.create("redis://127.0.0.1:" + p)))
                .sync();
    }

    /** {@code spring.data.redis.sentinel.nodes}, as README documents it. */
    public String nodesProperty() {
        return String.join(
                ",", sentinels.stream().map(s -> "127.0.0.1:" + s.port).toList());
    }

    public Node primary() {
        return servers.get(0);
    }

    public Node replica() {
        return servers.get(1);
    }

    /** The port Sentinel names as the primary now. */
    public int currentPrimaryPort() {
        return ((java.net.InetSocketAddress)
                        sentinelCommands(sentinels.get(0).port).getMasterAddrByName(MASTER))
                .getPort();
    }

    /** SIGKILL: the primary dies at once, without a word to anyone. */
    public void killPrimary() {
        primary().process.destroyForcibly();
        try {
            primary().process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The primary stops answering for {@code seconds} (it is alive, only stalled), from another connection. */
    public void stallPrimary(int seconds) {
        RedisClient own = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + primary().port));
        StatefulRedisConnection<String, String> connection = own.connect();
        connection
                .async()
                .dispatch(
                        io.lettuce.core.protocol.CommandType.DEBUG,
                        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                .add("SLEEP")
                                .add(seconds))
                .whenComplete((ok, e) -> own.shutdownAsync());
    }

    /** Waits until Sentinel has promoted the replica; returns when it happened. */
    public Instant awaitPromotion(Duration patience) {
        await(patience, "the replica promoted by Sentinel", () -> {
            try {
                return currentPrimaryPort() == replica().port;
            } catch (RuntimeException e) {
                return false;
            }
        });
        return Instant.now();
    }

    public void await(Duration patience, String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(patience);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no " + what + " within " + patience + " (logs in " + root + ")");
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    @Override
    public void close() {
        sentinelConnections.values().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // the sentinel may be gone
            }
        });
        connections.values().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // the server may be gone
            }
        });
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        for (Node node : concat()) {
            node.process.destroyForcibly();
            try {
                node.process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Node> concat() {
        List<Node> all = new ArrayList<>(sentinels);
        all.addAll(servers);
        return all;
    }
}
