package ai.powerpost.gateway.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import redis.embedded.RedisServer;

/**
 * A real Redis Cluster of a test's own: {@code masters} {@code redis-server} processes (the binary
 * shipped in embedded-redis) on free loopback ports, joined into one cluster here, with Lettuce,
 * as {@code redis-cli --cluster create} would: each node gets its own config epoch, the first node
 * meets the others, each node takes an equal, contiguous share of the 16384 slots with
 * {@code CLUSTER ADDSLOTS} (Redis 6.2 has no {@code ADDSLOTSRANGE}), and the start returns only
 * when every node reports {@code cluster_state:ok}, knows every other node and sees all slots
 * covered. If that does not happen within {@link #FORMATION_TIMEOUT} the start fails, loudly,
 * with every node's own view; it is never skipped.
 *
 * <p>Masters only, no replicas: the point is that data spread over several nodes, and scripts and
 * pub/sub across them, work; not failover. Each node's cluster bus listens on its port + 10000
 * (Redis 6.2 has no {@code cluster-port}), so ports are chosen with both free.
 */
public final class RedisClusterSupport implements AutoCloseable {

    public static final int SLOTS = 16384;
    static final Duration FORMATION_TIMEOUT = Duration.ofSeconds(30);
    private static final int BUS_PORT_OFFSET = 10000;
    private static final Pattern SUBSCRIBED = Pattern.compile(" (sub|psub)=[1-9]");

    /** One master: its process, data directory, and a plain (non-cluster) connection to it alone. */
    public record Node(
            int port,
            int firstSlot,
            int lastSlot,
            RedisServer server,
            Path dir,
            StatefulRedisConnection<String, String> connection) {

        /** Commands sent to this node only: it answers for its own slots and redirects (MOVED) the rest. */
        public RedisCommands<String, String> commands() {
            return connection.sync();
        }

        public String address() {
            return "127.0.0.1:" + port;
        }

        public boolean ownsSlot(int slot) {
            return slot >= firstSlot && slot <= lastSlot;
        }
    }

    private final List<Node> nodes;
    private final RedisClient client;
    private boolean closed;

    private RedisClusterSupport(List<Node> nodes, RedisClient client) {
        this.nodes = nodes;
        this.client = client;
    }

    /** Starts {@code masters} nodes, forms the cluster and waits until every node says it is ok. */
    public static RedisClusterSupport start(int masters) {
        if (masters < 1 || masters > 16) {
            throw new IllegalArgumentException("masters: 1 to 16, not " + masters);
        }
        RedisClient client = RedisClient.create();
        List<Node> nodes = new ArrayList<>();
        RedisClusterSupport cluster = new RedisClusterSupport(nodes, client);
        try {
            Set<Integer> taken = new HashSet<>();
            for (int i = 0; i < masters; i++) {
                int[] range = slotRange(i, masters);
                nodes.add(startNode(client, taken, range[0], range[1]));
            }
            cluster.form();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "redis-cluster-support-stop"));
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The {@code i}-th of {@code n} equal, contiguous shares of the slots, as redis-cli splits them. */
    static int[] slotRange(int i, int n) {
        double perNode = (double) SLOTS / n;
        int first = (int) Math.round(perNode * i);
        int last = i == n - 1 ? SLOTS - 1 : (int) Math.round(perNode * (i + 1)) - 1;
        return new int[] {first, last};
    }

    private static Node startNode(RedisClient client, Set<Integer> taken, int firstSlot, int lastSlot) {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePortWithFreeBusPort(taken);
            Path dir;
            try {
                dir = Files.createTempDirectory("redis-cluster-" + port + "-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RedisServer server = null;
            try {
                server = RedisServer.newRedisServer()
                        .port(port)
                        .bind("127.0.0.1")
                        .setting("dir " + dir)
                        .setting("cluster-enabled yes")
                        .setting("cluster-config-file nodes-" + port + ".conf")
                        .setting("cluster-node-timeout 5000")
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .build();
                server.start();
                taken.add(port);
                StatefulRedisConnection<String, String> connection =
                        client.connect(RedisURI.Builder.redis("127.0.0.1", port)
                                .withTimeout(Duration.ofSeconds(5))
                                .build());
                return new Node(port, firstSlot, lastSlot, server, dir, connection);
            } catch (IOException | RuntimeException e) {
                // Most likely a port (or its bus port) taken between the check and the start: another.
                last = e instanceof IOException io ? io : new IOException(e);
                stopQuietly(server);
                deleteQuietly(dir);
            }
        }
        throw new IllegalStateException(
                "No Redis Cluster for the test: a cluster-enabled redis-server "
                        + "(the binary of embedded-redis) did not start on a loopback port",
                last);
    }

    /** A loopback port that is free, whose cluster bus port (+10000) is free too, and not used yet. */
    private static int freePortWithFreeBusPort(Set<Integer> taken) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = RedisSupport.freePort();
            int bus = port + BUS_PORT_OFFSET;
            if (bus <= 65535
                    && !taken.contains(port)
                    && !taken.contains(bus)
                    && taken.stream().noneMatch(p -> p + BUS_PORT_OFFSET == port)
                    && isFree(bus)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port p with p + 10000 free as well");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What {@code redis-cli --cluster create} does, for masters only. */
    private void form() {
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            // A distinct config epoch per node, so that no epoch collision has to be resolved later.
            String epoch = node.connection()
                    .sync()
                    .dispatch(
                            CommandType.CLUSTER,
                            new StatusOutput<>(StringCodec.UTF8),
                            new CommandArgs<>(StringCodec.UTF8)
                                    .add("SET-CONFIG-EPOCH")
                                    .add(i + 1));
            requireOk(epoch, "CLUSTER SET-CONFIG-EPOCH", node);
            int[] slots =
                    IntStream.rangeClosed(node.firstSlot(), node.lastSlot()).toArray();
            requireOk(node.commands().clusterAddSlots(slots), "CLUSTER ADDSLOTS", node);
        }
        Node first = nodes.get(0);
        for (Node other : nodes.subList(1, nodes.size())) {
            requireOk(first.commands().clusterMeet("127.0.0.1", other.port()), "CLUSTER MEET", other);
        }
        try {
            Awaitility.await("every node of the Redis Cluster reporting cluster_state:ok")
                    .atMost(FORMATION_TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    .until(this::everyNodeOk);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(
                    "The Redis Cluster did not form within " + FORMATION_TIMEOUT + "; each node's view:\n" + describe(),
                    e);
        }
    }

    private static void requireOk(String reply, String command, Node node) {
        if (!"OK".equals(reply)) {
            throw new IllegalStateException(command + " on " + node.address() + " answered " + reply);
        }
    }

    /** Every node: state ok, all nodes known and connected, all slots assigned and served. */
    private boolean everyNodeOk() {
        for (Node node : nodes) {
            Map<String, String> info = info(node);
            if (!"ok".equals(info.get("cluster_state"))
                    || !Integer.toString(nodes.size()).equals(info.get("cluster_known_nodes"))
                    || !Integer.toString(nodes.size()).equals(info.get("cluster_size"))
                    || !Integer.toString(SLOTS).equals(info.get("cluster_slots_ok"))) {
                return false;
            }
            long connected = node.commands()
                    .clusterNodes()
                    .lines()
                    .filter(line -> line.contains(" connected"))
                    .count();
            if (connected != nodes.size()) {
                return false;
            }
        }
        return true;
    }

    /** {@code CLUSTER INFO} of one node, as fields. */
    public Map<String, String> info(Node node) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : node.commands().clusterInfo().split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    private String describe() {
        StringBuilder view = new StringBuilder();
        for (Node node : nodes) {
            view.append("--- ")
                    .append(node.address())
                    .append(" (slots ")
                    .append(node.firstSlot())
                    .append('-')
                    .append(node.lastSlot())
                    .append(")\n");
            try {
                view.append(node.commands().clusterInfo())
                        .append('\n')
                        .append(node.commands().clusterNodes())
                        .append('\n');
            } catch (RuntimeException e) {
                view.append("unreachable: ").append(e).append('\n');
            }
        }
        return view.toString();
    }

    /** The value of {@code spring.data.redis.cluster.nodes}: every node, comma-separated. */
    public String nodesProperty() {
        return nodes.stream().map(Node::address).collect(Collectors.joining(","));
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The slot of a key, as the cluster computes it ({@code CLUSTER KEYSLOT}). */
    public int slotOf(String key) {
        return Math.toIntExact(nodes.get(0).commands().clusterKeyslot(key));
    }

    /** The node that serves the slot, from the cluster's own {@code CLUSTER SLOTS} (asked of every node). */
    public Node ownerOfSlot(int slot) {
        Node owner = null;
        for (Node asked : nodes) {
            int port = -1;
            for (Object entry : asked.commands().clusterSlots()) {
                List<?> range = (List<?>) entry;
                if (((Number) range.get(0)).intValue() <= slot && slot <= ((Number) range.get(1)).intValue()) {
                    port = ((Number) ((List<?>) range.get(2)).get(1)).intValue();
                }
            }
            int answered = port;
            Node claimed = nodes.stream()
                    .filter(n -> n.port() == answered)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(asked.address() + " names no node for slot " + slot));
            if (owner != null && owner != claimed) {
                throw new IllegalStateException("nodes disagree on the owner of slot " + slot);
            }
            owner = claimed;
        }
        return owner;
    }

    /** The node that serves the key. */
    public Node ownerOf(String key) {
        return ownerOfSlot(slotOf(key));
    }

    /**
     * Each node's own answer to {@code KEYS pattern}: in a cluster a node lists only the keys it
     * holds, so this is where the data really is.
     */
    public Map<Node, List<String>> keysByNode(String pattern) {
        Map<Node, List<String>> byNode = new LinkedHashMap<>();
        for (Node node : nodes) {
            byNode.put(node, node.commands().keys(pattern).stream().sorted().toList());
        }
        return byNode;
    }

    /** Total calls of one command on one node since it started ({@code INFO commandstats}). */
    public long calls(Node node, String command) {
        String prefix = "cmdstat_" + command.toLowerCase() + ":calls=";
        return node.commands()
                .info("commandstats")
                .lines()
                .filter(line -> line.startsWith(prefix))
                .mapToLong(line -> Long.parseLong(line.substring(prefix.length(), line.indexOf(','))))
                .findFirst()
                .orElse(0);
    }

    /** How many clients with a subscription each node has now, from its {@code CLIENT LIST}. */
    public Map<Node, Long> subscribersByNode() {
        Map<Node, Long> byNode = new LinkedHashMap<>();
        for (Node node : nodes) {
            long subscribers = node.commands()
                    .clientList()
                    .lines()
                    .filter(line -> SUBSCRIBED.matcher(line).find())
                    .count();
            byNode.put(node, subscribers);
        }
        return byNode;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Node node : nodes) {
            try {
                node.connection().close();
            } catch (RuntimeException e) {
                // already closed
            }
            stopQuietly(node.server());
            deleteQuietly(node.dir());
        }
        nodes.clear();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static void stopQuietly(RedisServer server) {
        if (server != null) {
            try {
                if (server.isActive()) {
                    server.stop();
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone or going; nothing more to do
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind
        }
    }
}
