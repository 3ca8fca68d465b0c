package ai.powerpost.gateway.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis Sentinel group of a test's own: a primary, one replica ({@code replicaof}) and
 * three sentinels ({@code redis-server sentinel.conf --sentinel}, quorum 2), every one a process
 * of the {@code redis-server} binary shipped in embedded-redis, on free loopback ports. The binary,
 * the configuration files (Sentinel rewrites its own) and the logs live in one temporary
 * directory, deleted on {@link #close()}; nothing is left behind.
 *
 * <p>The processes are started here with a {@link ProcessBuilder} rather than through
 * embedded-redis's {@code RedisServer}: that class keeps its {@link Process} to itself, and a test
 * of a crash needs the process, to kill it with SIGKILL ({@link Process#destroyForcibly()} on
 * Linux), not the polite SIGTERM of its {@code stop()}.
 *
 * <p>The sentinels fail over quickly ({@value #DOWN_AFTER_MILLIS} ms without an answer make the
 * primary subjectively down) and announce plain IP addresses ({@code resolve-hostnames no}). The
 * start returns only once every sentinel knows the primary, the replica and the two other
 * sentinels, and the replica's link to the primary is up: from then on a failover can happen. If
 * that does not happen within {@link #START_TIMEOUT} the start fails with every process's log; it
 * is never skipped.
 */
public final class RedisSentinelSupport implements AutoCloseable {

    public static final String MASTER_NAME = "ppgw-primary";
    static final long DOWN_AFTER_MILLIS = 1000;
    static final long FAILOVER_TIMEOUT_MILLIS = 5000;
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final int SENTINELS = 3;

    /** One redis-server process: a data node or a sentinel. */
    public static final class Instance {
        private final String name;
        private final int port;
        private final Process process;
        private final Path log;

        Instance(String name, int port, Process process, Path log) {
            this.name = name;
            this.port = port;
            this.process = process;
            this.log = log;
        }

        public int port() {
            return port;
        }

        public String address() {
            return "127.0.0.1:" + port;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        String logTail() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        @Override
        public String toString() {
            return name + "@" + port;
        }
    }

    private final Path dir;
    private final File binary;
    private final RedisClient client = RedisClient.create();
    private final List<Instance> instances = new ArrayList<>();
    private final List<Instance> sentinels = new ArrayList<>();
    private final Set<Integer> ports = new HashSet<>();
    private final Map<Instance, StatefulRedisConnection<String, String>> open = new java.util.HashMap<>();
    private Instance primary;
    private Instance replica;
    private boolean closed;

    private RedisSentinelSupport() {
        try {
            // Not "redis-sentinel" in the path: redis-server runs as a sentinel whenever its own path
            // contains that, whatever its arguments (checkForSentinelMode looks at argv[0]).
            dir = Files.createTempDirectory("ppgw-sentinel-group-");
            binary = ExecutableProvider.newJarResourceProvider(dir.toFile()).get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the primary, its replica and three sentinels; returns once a failover is possible. */
    public static RedisSentinelSupport start() {
        RedisSentinelSupport group = new RedisSentinelSupport();
        try {
            group.primary = group.startDataNode("primary", null);
            group.replica = group.startDataNode("replica", group.primary);
            for (int i = 1; i <= SENTINELS; i++) {
                group.sentinels.add(group.startSentinel(i));
            }
            group.awaitFailoverPossible();
            Runtime.getRuntime().addShutdownHook(new Thread(group::close, "redis-sentinel-support-stop"));
            return group;
        } catch (RuntimeException | Error e) {
            group.close();
            throw e;
        }
    }

    private Instance startDataNode(String name, Instance replicaOf) {
        int port = freshPort();
        Path nodeDir = directory(name);
        List<String> conf = new ArrayList<>(List.of(
                "port " + port,
                "bind 127.0.0.1",
                "dir " + nodeDir,
                "save \"\"",
                "appendonly no",
                // A replica that lost its primary still answers (with what it has): the default.
                "replica-serve-stale-data yes"));
        if (replicaOf != null) {
            conf.add("replicaof 127.0.0.1 " + replicaOf.port());
        }
        Instance instance = launch(name, port, nodeDir, conf, false);
        awaitPing(instance);
        return instance;
    }

    private Instance startSentinel(int number) {
        String name = "sentinel-" + number;
        int port = freshPort();
        Path sentinelDir = directory(name);
        List<String> conf = List.of(
                "port " + port,
                "bind 127.0.0.1",
                "dir " + sentinelDir,
                "sentinel resolve-hostnames no",
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary.port() + " 2",
                "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS,
                "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MILLIS,
                "sentinel parallel-syncs " + MASTER_NAME + " 1");
        Instance sentinel = launch(name, port, sentinelDir, conf, true);
        awaitPing(sentinel);
        return sentinel;
    }

    private Instance launch(String name, int port, Path instanceDir, List<String> conf, boolean sentinel) {
        Path confFile = instanceDir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
        Path log = instanceDir.resolve("out.log");
        try {
            Files.write(confFile, conf, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(binary.getAbsolutePath(), confFile.toString()));
            if (sentinel) {
                command.add("--sentinel");
            }
            Process process = new ProcessBuilder(command)
                    .directory(instanceDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Instance instance = new Instance(name, port, process, log);
            instances.add(instance);
            return instance;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "No Redis Sentinel group for the test: the redis-server binary of embedded-redis "
                            + "did not start as " + name,
                    e);
        }
    }

    private Path directory(String name) {
        try {
            return Files.createDirectory(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int freshPort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = RedisSupport.freePort();
            if (ports.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no fresh free loopback port");
    }

    private void awaitPing(Instance instance) {
        await(instance + " answering PING", START_TIMEOUT, () -> {
            if (!instance.isAlive()) {
                throw new IllegalStateException(
                        instance + " exited with " + instance.process.exitValue() + ":\n" + instance.logTail());
            }
            try (StatefulRedisConnection<String, String> c = connect(instance)) {
                return "PONG".equals(c.sync().ping());
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** Every sentinel sees the primary, its replica and both other sentinels; the replica is in sync. */
    private void awaitFailoverPossible() {
        await("every sentinel knowing the primary, the replica and the other sentinels", START_TIMEOUT, () -> {
            String link = info(replica, "replication").get("master_link_status");
            if (!"up".equals(link)) {
                return false;
            }
            for (Instance sentinel : sentinels) {
                Map<String, String> master;
                try (StatefulRedisSentinelConnection<String, String> c = connectSentinel(sentinel)) {
                    master = c.sync().master(MASTER_NAME);
                }
                if (!Integer.toString(primary.port()).equals(master.get("port"))
                        || !"1".equals(master.get("num-slaves"))
                        || !Integer.toString(SENTINELS - 1).equals(master.get("num-other-sentinels"))
                        || !"master".equals(master.get("flags"))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The value of {@code spring.data.redis.sentinel.nodes}: every sentinel, comma-separated. */
    public String sentinelNodes() {
        return sentinels.stream().map(Instance::address).collect(Collectors.joining(","));
    }

    public Instance primary() {
        return primary;
    }

    public Instance replica() {
        return replica;
    }

    /** The primary as one sentinel answers {@code SENTINEL get-master-addr-by-name}. */
    public int primaryPortAccordingTo(Instance sentinel) {
        try (StatefulRedisSentinelConnection<String, String> c = connectSentinel(sentinel)) {
            SocketAddress address = c.sync().getMasterAddrByName(MASTER_NAME);
            return ((InetSocketAddress) address).getPort();
        }
    }

    /** True once every sentinel that answers names {@code port} as the primary. */
    public boolean everySentinelNames(int port) {
        for (Instance sentinel : sentinels) {
            try {
                if (primaryPortAccordingTo(sentinel) != port) {
                    return false;
                }
            } catch (RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /** SIGKILL of the primary (no shutdown, no goodbye to its clients); returns once it is gone. */
    public Instant killPrimary() {
        primary.process.destroyForcibly();
        try {
            if (!primary.process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the primary did not die of SIGKILL within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Instant.now();
    }

    /**
     * {@code DEBUG SLEEP seconds} on the primary: it stops answering anyone (its sockets stay open)
     * for that long, then carries on as if nothing had happened. Returns once the command is in.
     */
    public Instant stallPrimary(int seconds) {
        StatefulRedisConnection<String, String> c = connect(primary);
        c.setTimeout(Duration.ofSeconds(seconds + 30L));
        c.async()
                .dispatch(
                        CommandType.DEBUG,
                        new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(seconds))
                .whenComplete((reply, failure) -> c.closeAsync());
        Instant sent = Instant.now();
        // The stall has begun once the primary no longer answers a PING within 200 ms.
        await("the primary stalling", Duration.ofSeconds(5), () -> {
            try (StatefulRedisConnection<String, String> probe = connect(primary)) {
                probe.setTimeout(Duration.ofMillis(200));
                probe.sync().ping();
                return false;
            } catch (RuntimeException e) {
                return true;
            }
        });
        return sent;
    }

    /**
     * Waits until every sentinel names the former replica as the primary (the promotion), and the
     * former replica says it is a primary; returns when that was seen.
     */
    public Instant awaitPromotion(Duration atMost) {
        int promoted = replica.port();
        await(
                "the sentinels promoting " + replica,
                atMost,
                () -> everySentinelNames(promoted)
                        && "master".equals(info(replica, "replication").get("role")));
        return Instant.now();
    }

    /** Commands sent to one data node alone, over a connection of its own kept until {@link #close()}. */
    public synchronized RedisCommands<String, String> commands(Instance instance) {
        return open.computeIfAbsent(instance, this::connect).sync();
    }

    /** One section of {@code INFO} of a data node, as fields. */
    public Map<String, String> info(Instance instance, String section) {
        try (StatefulRedisConnection<String, String> c = connect(instance)) {
            return c.sync()
                    .info(section)
                    .lines()
                    .filter(line -> line.indexOf(':') > 0)
                    .collect(Collectors.toMap(
                            line -> line.substring(0, line.indexOf(':')),
                            line -> line.substring(line.indexOf(':') + 1).trim(),
                            (x, y) -> y));
        }
    }

    private StatefulRedisConnection<String, String> connect(Instance instance) {
        return client.connect(RedisURI.Builder.redis("127.0.0.1", instance.port())
                .withTimeout(Duration.ofSeconds(2))
                .build());
    }

    private StatefulRedisSentinelConnection<String, String> connectSentinel(Instance sentinel) {
        return client.connectSentinel(RedisURI.Builder.redis("127.0.0.1", sentinel.port())
                .withTimeout(Duration.ofSeconds(2))
                .build());
    }

    /** Every process's log tail, for a failure message. */
    public String describe() {
        StringBuilder view = new StringBuilder();
        for (Instance instance : instances) {
            view.append("--- ")
                    .append(instance)
                    .append(instance.isAlive() ? "" : " (exited)")
                    .append('\n')
                    .append(instance.logTail())
                    .append('\n');
        }
        return view.toString();
    }

    /** Bounded polling on the test thread; a timeout fails with every process's log. */
    private void await(String what, Duration atMost, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(atMost);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("not within " + atMost + ": " + what + "\n" + describe());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        open.values().forEach(StatefulRedisConnection::closeAsync);
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        for (Instance instance : instances) {
            instance.process.destroyForcibly();
        }
        for (Instance instance : instances) {
            try {
                instance.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("could not delete " + dir, e);
        }
    }
}
