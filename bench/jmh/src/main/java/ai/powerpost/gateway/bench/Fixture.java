package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.AuthBenchAccess;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.http.HttpHeaders;

/**
 * One typical, allowed request with a warm key, shared by the benchmarks: its headers as the
 * filters see them, the key store holding its key and its account's workspaces, and the route
 * table of the repository's own routes.yml (found from the working directory upwards, or
 * {@code -Dbench.routes=<file>}).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class Fixture {

    static final String API_KEY = ApiKeys.PREFIX + "4fT9qLm2Xc7RbN1vKp8sWd3ZyH6jAe0G";
    static final String KEY_ID = "key_01J9ZK4Q8W3M";
    static final String ACCOUNT_ID = "acct_7QmX2cV9";
    static final String WORKSPACE_ID = "ws_8f3k2m9q1x";
    static final String GET_PATH = "/api/v1/posts/post_123";
    static final String POST_PATH = "/api/v1/posts/post_123/publish";
    static final InetSocketAddress CLIENT = client();

    // Inputs read from the state, not constants, so the JIT cannot fold them.
    String apiKey = API_KEY;
    String getMethod = "GET";
    String getPath = GET_PATH;
    String postMethod = "POST";
    String postPath = POST_PATH;

    /** The request's headers as Netty decoded them (what a new exchange is built over). */
    io.netty.handler.codec.http.HttpHeaders nettyHeaders;
    /** The same headers as the filters read them. */
    HttpHeaders headers;

    String keyHash;
    KeyRecord key;
    ApiKeyStore store;
    RouteTable routes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        nettyHeaders = Exchanges.typicalHeaders(API_KEY, WORKSPACE_ID);
        headers = Exchanges.requestHeaders(nettyHeaders);
        keyHash = ApiKeys.hash(API_KEY);
        key = new KeyRecord(keyHash, KEY_ID, ACCOUNT_ID, Scope.FULL_ACCESS);
        store = AuthBenchAccess.warmStore(
                Map.of(keyHash, key), Map.of(ACCOUNT_ID, Set.of(WORKSPACE_ID, "ws_2b7c9d0e4f", "ws_q5r6s7t8u9")));
        routes = RouteTableParser.load(routesFile(), variable -> null);
    }

    /**
     * routes.yml with every rate-limit class raised to ~2·10⁹ requests a window, so that a benchmark
     * running millions of requests a second on one key stays on the admit path (a refused request
     * is an error response, another path).
     */
    static RouteTable routesWithoutLimits() throws IOException {
        String yaml = Files.readString(routesFile()).replaceAll("requests:\\s*\\d+", "requests: 2000000000");
        return new RouteTableParser("routes.yml (limits raised)", variable -> null)
                .parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    static Path routesFile() {
        String configured = System.getProperty("bench.routes");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("routes.yml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("routes.yml not found from "
                + Path.of("").toAbsolutePath() + " upwards; run from the repository or pass -Dbench.routes=<file>");
    }

    private static InetSocketAddress client() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7}), 51_234);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
