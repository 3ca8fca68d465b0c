package ai.powerpost.gateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.support.GatewayInstance;
import ai.powerpost.gateway.support.RecordingUpstream;
import ai.powerpost.gateway.support.RedisClusterSupport;
import ai.powerpost.gateway.support.RedisClusterSupport.Node;
import ai.powerpost.gateway.support.RedisSupport;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.event.connection.DisconnectedEvent;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

/**
 * Two gateway replicas against a real three-master Redis Cluster ({@link RedisClusterSupport}),
 * everything through their HTTP APIs: keys of accounts whose data lands on every node
 * authenticate on both replicas, the key limit (a script on the account's node) holds, a
 * revocation through one replica reaches the other within a second whichever node the message is
 * published on, last-used times are written by the usage script on the nodes that hold the keys,
 * and each node's own answer ({@code KEYS}, {@code CLUSTER COUNTKEYSINSLOT}) shows that the data
 * really is spread over the nodes, each key on the node that owns its slot.
 */
class RedisClusterIT {

    private static final Duration FLUSH = Duration.ofMillis(500);
    private static final String CREDITS = "/api/v1/account/credits";
    private static final String WORKSPACE_ROUTE = "/api/v1/posts/p1";

    private static RedisClusterSupport cluster;
    private static RecordingUpstream upstream;
    private static GatewayInstance a;
    private static GatewayInstance b;
    private static final List<Disposable> watchers = new ArrayList<>();
    private static final Map<String, ConcurrentLinkedQueue<Instant>> activations = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        cluster = RedisClusterSupport.start(3);
        upstream = new RecordingUpstream();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.data.redis.cluster.nodes", cluster.nodesProperty());
        // GatewayInstance sets spring.data.redis.url (the shared standalone server), and so does
        // application.yml. An empty url is no way out: Boot parses any url that is set, and ""
        // fails with DataRedisUrlSyntaxException. With cluster nodes set, Boot uses the url only for
        // credentials and TLS, never for a host; so it points here at a port where nothing listens:
        // were the standalone configuration used after all, every Redis call would fail.
        properties.put("spring.data.redis.url", "redis://127.0.0.1:" + RedisSupport.freePort());
        properties.put("gateway.usage.flush-interval", FLUSH.toMillis() + "ms");
        properties.put("gateway.usage.counts-flush-interval", FLUSH.toMillis() + "ms");
        a = GatewayInstance.start(upstream, properties);
        watchActivations("a", a);
        b = GatewayInstance.start(upstream, properties);
        watchActivations("b", b);
        connectToEveryNode(a);
        connectToEveryNode(b);
    }

    /**
     * Makes the instance's Redis client open its connection to every node now. Lettuce connects to
     * a cluster node lazily, on the first command for one of its slots, and every connection it
     * activates empties the gateway's whole key cache (KeyInvalidationListener); see
     * docs/redis-cluster.md. Tests that rely on a warm cache must not see that happen mid-test.
     */
    private static void connectToEveryNode(GatewayInstance instance) {
        for (Node node : cluster.nodes()) {
            String secret;
            do {
                secret = ApiKeys.PREFIX + UUID.randomUUID().toString().replace("-", "");
            } while (!node.ownsSlot(SlotHash.getSlot(RedisSchema.keyRecord(ApiKeys.hash(secret)))));
            instance.client()
                    .get()
                    .uri(CREDITS)
                    .header("x-api-key", secret)
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody()
                    .returnResult();
        }
    }

    /**
     * Notes every Redis connection of the instance's client that is lost (a reconnect follows, and
     * the invalidation subscription's re-subscription revalidates the whole key cache). A node's
     * first connection, opened when a command first needs that node, is no such event.
     */
    private static void watchActivations(String name, GatewayInstance instance) {
        ConcurrentLinkedQueue<Instant> seen = new ConcurrentLinkedQueue<>();
        activations.put(name, seen);
        watchers.add(instance.bean(ClientResources.class)
                .eventBus()
                .get()
                .filter(DisconnectedEvent.class::isInstance)
                .subscribe(event -> seen.add(Instant.now())));
    }

    @AfterAll
    static void stop() {
        activations.forEach((name, seen) -> System.out.println(
                "[cluster-it] instance " + name + ": " + seen.size() + " Redis connections lost after start"));
        watchers.forEach(Disposable::dispose);
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void bothInstancesTalkToTheClusterNotToAStandaloneServer() {
        Set<Integer> ports = new HashSet<>();
        cluster.nodes().forEach(node -> ports.add(node.port()));
        for (GatewayInstance instance : List.of(a, b)) {
            LettuceConnectionFactory factory = instance.bean(LettuceConnectionFactory.class);
            assertThat(factory.isClusterAware())
                    .as("cluster-aware connection factory")
                    .isTrue();
            assertThat(factory.getClusterConfiguration().getClusterNodes())
                    .extracting(RedisNode::getPort)
                    .containsExactlyInAnyOrderElementsOf(ports);
            instance.management()
                    .get()
                    .uri("/actuator/health")
                    .exchange()
                    .expectBody()
                    .jsonPath("$.components.redis.status")
                    .isEqualTo("UP")
                    .jsonPath("$.components.redis.details.cluster_size")
                    .isEqualTo(3)
                    .jsonPath("$.components.redis.details.slots_up")
                    .isEqualTo(RedisClusterSupport.SLOTS);
        }
    }

    @Test
    void keysOfAccountsOnEveryNodeAuthenticateOnBothInstancesAndTheDataIsSpreadOverTheNodes() {
        List<Tenant> tenants = new ArrayList<>();
        for (Node node : cluster.nodes()) {
            tenants.add(tenant(accountOn(node), tenants.size() % 2 == 0 ? a : b)); // account data on each node
        }
        for (int i = 0; i < 3; i++) {
            tenants.add(tenant(unique("acct"), i % 2 == 0 ? b : a)); // and wherever they fall
        }
        for (Tenant tenant : tenants) {
            for (GatewayInstance instance : List.of(a, b)) {
                assertThat(status(credits(instance, tenant.key())))
                        .as("credits, key of " + tenant.account())
                        .isEqualTo(200);
                assertThat(status(workspaceRoute(instance, tenant.key(), tenant.workspace())))
                        .as("workspace route, key of " + tenant.account())
                        .isEqualTo(200);
            }
        }
        // Ownership is read from the account's node: another account's workspace is refused.
        Tenant first = tenants.get(0);
        Tenant other = tenants.get(1);
        assertThat(status(workspaceRoute(b, first.key(), other.workspace()))).isEqualTo(403);

        // Where the data is, as each node itself reports it.
        Map<Node, List<String>> held = cluster.keysByNode("ppgw:*");
        Set<Node> holding = new LinkedHashSet<>();
        for (Tenant tenant : tenants) {
            for (String key : List.of(
                    RedisSchema.keyRecord(tenant.key().hash()),
                    RedisSchema.accountKeys(tenant.account()),
                    RedisSchema.accountWorkspaces(tenant.account()))) {
                int slot = cluster.slotOf(key);
                assertThat(slot)
                        .as("CLUSTER KEYSLOT agrees with the client's CRC16 for " + key)
                        .isEqualTo(SlotHash.getSlot(key));
                Node owner = cluster.ownerOfSlot(slot);
                List<Node> holders = held.entrySet().stream()
                        .filter(e -> e.getValue().contains(key))
                        .map(Map.Entry::getKey)
                        .toList();
                assertThat(holders)
                        .as(key + " is held by exactly the owner of slot " + slot)
                        .containsExactly(owner);
                assertThat(owner.commands().clusterCountKeysInSlot(slot))
                        .as("keys in slot " + slot)
                        .isPositive();
                holding.add(owner);
            }
        }
        held.forEach((node, keys) -> System.out.println("[cluster-it] " + node.address() + " (slots " + node.firstSlot()
                + "-" + node.lastSlot() + ") holds " + keys.size() + " ppgw keys"));
        assertThat(holding).as("nodes holding the tenants' data").hasSize(3);
    }

    @Test
    void theEleventhKeyOfAnAccountIsRefusedByTheClaimScriptOnTheAccountsNode() {
        Node node = cluster.nodes().get(1);
        String account = accountOn(node);
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add(newKey(i % 2 == 0 ? a : b, account, "read_only"));
        }
        for (GatewayInstance instance : List.of(a, b)) {
            instance.admin()
                    .post()
                    .uri("/admin/v1/accounts/{a}/keys", account)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", "eleventh", "preset", "read_only"))
                    .exchange()
                    .expectStatus()
                    .isEqualTo(409)
                    .expectBody()
                    .jsonPath("$.error.code")
                    .isEqualTo("KEY_LIMIT_REACHED");
        }
        String index = RedisSchema.accountKeys(account);
        assertThat(cluster.ownerOf(index)).isEqualTo(node);
        assertThat(node.commands().hlen(index)).isEqualTo(10);
        // The refused keys' records (written first, on other slots) were deleted again.
        long records = 0;
        for (Node any : cluster.nodes()) {
            for (String record : any.commands().keys("ppgw:key:*")) {
                if (account.equals(any.commands().hget(record, RedisSchema.ACCOUNT_ID))) {
                    records++;
                }
            }
        }
        assertThat(records).as("key records of the account over all nodes").isEqualTo(10);
        assertThat(listKeys(b, account)).hasSize(10);
        // The ten keys work; revoking one frees a place.
        assertThat(status(credits(b, keys.get(9)))).isEqualTo(200);
        revoke(b, keys.get(0));
        newKey(a, account, "read_only");
    }

    @Test
    void keyRevokedThroughOneInstanceIsRejectedByTheOtherWithinOneSecond() {
        for (GatewayInstance[] pair : List.of(new GatewayInstance[] {a, b}, new GatewayInstance[] {b, a})) {
            GatewayInstance writer = pair[0];
            GatewayInstance reader = pair[1];
            Key key = newKey(writer, unique("acct"), "full_access");
            assertThat(status(credits(reader, key))).isEqualTo(200); // cached on the reader now
            Map<Node, Long> publishesBefore = publishes();
            revoke(writer, key);
            Instant revoked = Instant.now();
            int status;
            do {
                status = status(credits(reader, key));
            } while (status == 200 && Instant.now().isBefore(revoked.plusSeconds(1)));
            Duration took = Duration.between(revoked, Instant.now());
            assertThat(status).isEqualTo(401);
            assertThat(took).isLessThan(Duration.ofSeconds(1));
            Map<Node, Long> publishesAfter = publishes();
            List<String> publishedOn = cluster.nodes().stream()
                    .filter(n -> publishesAfter.get(n) > publishesBefore.get(n))
                    .map(Node::address)
                    .toList();
            System.out.println("[cluster-it] revocation published on " + publishedOn + ", subscribers per node "
                    + subscribers() + ", rejected after " + took.toMillis() + " ms");
            assertThat(publishedOn).as("the revocation was published").isNotEmpty();
        }
    }

    @Test
    void invalidationPublishedOnAnyNodeReachesBothInstances() throws InterruptedException {
        int activationsBefore = activationCount();
        for (Node publisher : cluster.nodes()) {
            Key key = newKey(a, unique("acct"), "read_only");
            String record = RedisSchema.keyRecord(key.hash());
            // The creation's own announcement crosses the cluster bus; had it reached b after b
            // cached the key, it would evict the entry this test relies on. Let it land first.
            Thread.sleep(300);
            for (GatewayInstance instance : List.of(a, b)) {
                assertThat(status(credits(instance, key))).isEqualTo(200);
            }
            // The record disappears without a message: both instances go on trusting their caches ...
            assertThat(cluster.ownerOf(record).commands().del(record)).isEqualTo(1);
            for (GatewayInstance instance : List.of(a, b)) {
                assertThat(status(credits(instance, key)))
                        .as("still served from the cache")
                        .isEqualTo(200);
            }
            // ... until the message comes, published on this node, wherever their subscriptions are.
            publisher.commands().publish(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.KEY_MESSAGE + key.hash());
            Instant published = Instant.now();
            for (GatewayInstance instance : List.of(a, b)) {
                int status;
                do {
                    status = status(credits(instance, key));
                } while (status == 200 && Instant.now().isBefore(published.plusSeconds(1)));
                assertThat(status)
                        .as("after a message published on " + publisher.address())
                        .isEqualTo(401);
            }
            assertThat(Duration.between(published, Instant.now())).isLessThan(Duration.ofSeconds(1));
        }
        assertThat(activationCount())
                .as("Redis connections lost meanwhile (each reconnect revalidates the key cache)")
                .isEqualTo(activationsBefore);
        assertThat(subscribers().values().stream().mapToLong(Long::longValue).sum())
                .as("subscriptions of both instances")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void untaggedRecordsOnEveryNodeAreMigratedAndAnAnnouncedOneReachesBothInstances() {
        // Records that predate the untagged-key set, one or more on every node ...
        String account = unique("acct");
        Set<Node> holders = new HashSet<>();
        List<String> old = new ArrayList<>();
        while (holders.size() < cluster.nodes().size() || old.size() < 6) {
            String secret = ApiKeys.PREFIX + ApiKeys.randomBase62(new java.security.SecureRandom(), 30);
            String record = RedisSchema.keyRecord(ApiKeys.hash(secret));
            Node owner = cluster.ownerOf(record);
            owner.commands().hset(record, Map.of("id", unique("key"), "account_id", account, "type", "read_write"));
            holders.add(owner);
            old.add(secret);
        }
        cluster.ownerOf(RedisSchema.UNTAGGED_KEYS_MIGRATED).commands().del(RedisSchema.UNTAGGED_KEYS_MIGRATED);
        // ... are found by the migration of a replica that starts now (its SCAN visits every master).
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.data.redis.cluster.nodes", cluster.nodesProperty());
        properties.put("spring.data.redis.url", "redis://127.0.0.1:" + RedisSupport.freePort());
        try (GatewayInstance c = GatewayInstance.start(upstream, properties)) {
            for (String secret : old) {
                assertThat(status(c.client()
                                .get()
                                .uri(CREDITS)
                                .header("x-api-key", secret)
                                .exchange()))
                        .isEqualTo(200);
            }
        }
        // An untagged key written and announced while a and b run reaches both.
        String secret = ApiKeys.PREFIX + ApiKeys.randomBase62(new java.security.SecureRandom(), 30);
        String hash = ApiKeys.hash(secret);
        cluster.ownerOf(RedisSchema.keyRecord(hash))
                .commands()
                .hset(
                        RedisSchema.keyRecord(hash),
                        Map.of("id", unique("key"), "account_id", account, "scopes", "account:read"));
        cluster.ownerOf(RedisSchema.UNTAGGED_KEYS).commands().sadd(RedisSchema.UNTAGGED_KEYS, hash);
        cluster.nodes()
                .get(0)
                .commands()
                .publish(RedisSchema.INVALIDATION_CHANNEL, RedisSchema.UNTAGGED_MESSAGE + hash);
        for (GatewayInstance instance : List.of(a, b)) {
            ai.powerpost.gateway.support.GatewayTestBase.awaitUntagged(
                    instance.bean(ai.powerpost.gateway.auth.UntaggedKeys.class), hash);
            assertThat(status(instance.client()
                            .get()
                            .uri(CREDITS)
                            .header("x-api-key", secret)
                            .exchange()))
                    .isEqualTo(200);
        }
    }

    @Test
    void lastUsedAtIsWrittenOnTheKeysNodesAndListedWithinTenSeconds() {
        // Keys until their records lie on every node: the usage script then runs on each of them.
        List<Key> keys = new ArrayList<>();
        Set<Node> recordNodes = new HashSet<>();
        while (recordNodes.size() < 3) {
            assertThat(keys)
                    .as("keys created before their records covered every node")
                    .hasSizeLessThan(40);
            Key key = newKey(a, unique("acct"), "full_access");
            keys.add(key);
            recordNodes.add(cluster.ownerOf(RedisSchema.keyRecord(key.hash())));
        }
        Map<Node, Long> scriptsBefore = new LinkedHashMap<>();
        cluster.nodes()
                .forEach(node -> scriptsBefore.put(node, cluster.calls(node, "evalsha") + cluster.calls(node, "eval")));
        Instant used = Instant.now();
        for (Key key : keys) {
            assertThat(status(credits(b, key))).isEqualTo(200);
        }
        for (Key key : keys) {
            Duration left = Duration.between(Instant.now(), used.plusSeconds(10));
            Instant at = await("last_used_at of " + key.id() + " listed within 10 s of its use")
                    .atMost(left.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : left)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> lastUsed(a, key), Objects::nonNull);
            // kept to the minute (docs/redis-schema.md)
            assertThat(at).isAfterOrEqualTo(used.truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
            String record = RedisSchema.keyRecord(key.hash());
            Node owner = cluster.ownerOf(record);
            assertThat(owner.commands().hget(record, RedisSchema.LAST_USED_AT))
                    .isEqualTo(Long.toString(at.toEpochMilli()));
            assertThat(owner.commands().hget(record, RedisSchema.SCOPE_USED_PREFIX + "account:read"))
                    .isNotNull();
        }
        for (Node node : cluster.nodes()) {
            long scripts = cluster.calls(node, "evalsha") + cluster.calls(node, "eval");
            assertThat(scripts).as("usage scripts run on " + node.address()).isGreaterThan(scriptsBefore.get(node));
        }
    }

    @Test
    void usagePerKeyIsWrittenInTheKeyIdsSlotAndReadBackThroughTheApi() {
        Key key = newKey(a, unique("acct"), "read_only");
        for (int i = 0; i < 3; i++) {
            assertThat(status(credits(b, key))).isEqualTo(200);
            assertThat(status(credits(a, key))).isEqualTo(200);
        }
        Map<?, ?> usage = await("usage of " + key.id() + " within 10 s")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> a.admin()
                                .get()
                                .uri("/admin/v1/accounts/{a}/keys/{k}/usage?days=1", key.account(), key.id())
                                .exchange()
                                .expectStatus()
                                .isOk()
                                .expectBody(Map.class)
                                .returnResult()
                                .getResponseBody(),
                        body -> ((List<?>) body.get("days"))
                                .stream()
                                        .anyMatch(day -> Integer.valueOf(6).equals(((Map<?, ?>) day).get("requests"))));
        assertThat((List<?>) usage.get("networks")).hasSize(1);
        String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        String dayHash = "ppgw:usage:{" + key.id() + "}:d:" + day;
        assertThat(cluster.ownerOf(dayHash).commands().hget(dayHash, "r:account-credits"))
                .isEqualTo("6");
    }

    @Test
    void aUsageFlushNeverResurrectsARevokedKeyOnItsNode() {
        Key key = newKey(a, unique("acct"), "read_only");
        String record = RedisSchema.keyRecord(key.hash());
        Node owner = cluster.ownerOf(record);
        assertThat(status(credits(b, key))).isEqualTo(200); // a use pending on b
        revoke(a, key);
        await().during(FLUSH.multipliedBy(3))
                .atMost(FLUSH.multipliedBy(6))
                .until(() -> owner.commands().exists(record) == 0);
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Key(String account, String id, String secret) {
        String hash() {
            return ApiKeys.hash(secret);
        }
    }

    private record Tenant(String account, String workspace, Key key) {}

    /** A fresh account id whose keys index and workspace set lie in a slot of {@code node}. */
    private static String accountOn(Node node) {
        for (int i = 0; i < 10_000; i++) {
            String account = unique("acct");
            if (node.ownsSlot(SlotHash.getSlot(RedisSchema.accountKeys(account)))) {
                assertThat(cluster.ownerOf(RedisSchema.accountKeys(account))).isEqualTo(node);
                return account;
            }
        }
        throw new AssertionError("no account id found for " + node.address());
    }

    private static Tenant tenant(String account, GatewayInstance through) {
        String workspace = unique("ws");
        through.admin()
                .put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", account, workspace)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
        return new Tenant(account, workspace, newKey(through, account, "full_access"));
    }

    @SuppressWarnings("unchecked")
    private static Key newKey(GatewayInstance instance, String account, String preset) {
        Map<String, Object> created = instance.admin()
                .post()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "cluster test", "preset", preset))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new Key(account, (String) created.get("id"), (String) created.get("key"));
    }

    private static void revoke(GatewayInstance instance, Key key) {
        instance.admin()
                .delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", key.account(), key.id())
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
    }

    private static WebTestClient.ResponseSpec credits(GatewayInstance instance, Key key) {
        return instance.client()
                .get()
                .uri(CREDITS)
                .header("x-api-key", key.secret())
                .exchange();
    }

    private static WebTestClient.ResponseSpec workspaceRoute(GatewayInstance instance, Key key, String workspace) {
        return instance.client()
                .get()
                .uri(WORKSPACE_ROUTE)
                .header("x-api-key", key.secret())
                .header("X-Workspace-Id", workspace)
                .exchange();
    }

    /** The status, with the body consumed so the connection is released. */
    private static int status(WebTestClient.ResponseSpec response) {
        return response.expectBody().returnResult().getStatus().value();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listKeys(GatewayInstance instance, String account) {
        Map<String, Object> body = instance.admin()
                .get()
                .uri("/admin/v1/accounts/{a}/keys", account)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (List<Map<String, Object>>) body.get("data");
    }

    private static Instant lastUsed(GatewayInstance instance, Key key) {
        return listKeys(instance, key.account()).stream()
                .filter(view -> key.id().equals(view.get("id")))
                .map(view -> (String) view.get("last_used_at"))
                .filter(at -> at != null)
                .map(Instant::parse)
                .findFirst()
                .orElse(null);
    }

    private static int activationCount() {
        return activations.values().stream()
                .mapToInt(ConcurrentLinkedQueue::size)
                .sum();
    }

    private static Map<Node, Long> publishes() {
        Map<Node, Long> counts = new LinkedHashMap<>();
        cluster.nodes().forEach(node -> counts.put(node, cluster.calls(node, "publish")));
        return counts;
    }

    private static Map<String, Long> subscribers() {
        Map<String, Long> byAddress = new LinkedHashMap<>();
        cluster.subscribersByNode().forEach((node, count) -> byAddress.put(node.address(), count));
        return byAddress;
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
