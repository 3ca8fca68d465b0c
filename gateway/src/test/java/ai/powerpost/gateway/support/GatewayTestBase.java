package ai.powerpost.gateway.support;

import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.UntaggedKeys;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the integration tests: one real Redis ({@link RedisSupport}), one recording upstream
 * on a random loopback port, clients for the public and the management port, and helpers that
 * create accounts, workspaces and keys through the key management API, as PowerPost's dashboard
 * would. Every test uses fresh ids, so tests never see each other's data.
 */
public abstract class GatewayTestBase {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    /** The suite's key-tag secret (base64 of 32 bytes) and its id; it mints every key the tests create. */
    public static final String KEY_SECRET_ID = "test";

    public static final String KEY_SECRET = "dGVzdC1rZXktdGFnLXNlY3JldC0wMTIzNDU2Nzg5YWI=";
    protected static final RecordingUpstream UPSTREAM = new RecordingUpstream();

    static {
        BlockHoundSupport.install();
    }

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    protected WebTestClient client;
    protected WebTestClient admin;

    @Autowired
    protected UntaggedKeys untaggedKeys;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.url", () -> RedisSupport.redis().url());
        registry.add("GATEWAY_UPSTREAM_POWERPOST", UPSTREAM::uri);
    }

    @BeforeEach
    void clients() {
        client = TestClients.to(port);
        admin = TestClients.admin(managementPort);
    }

    /**
     * Writes an untagged key record directly, as a writer other than the key management API does
     * ({@link RedisSupport#writeUntaggedKey}), and waits until this gateway's filter holds it.
     */
    protected void writeUntaggedKey(String secret, Map<String, String> fields) {
        String hash = ApiKeys.hash(secret);
        RedisSupport.redis().writeUntaggedKey(hash, fields);
        awaitUntagged(untaggedKeys, hash);
    }

    /** Waits (bounded, on the test thread) until the filter may hold {@code hash}. */
    public static void awaitUntagged(UntaggedKeys filter, String hash) {
        Instant deadline = Instant.now().plusSeconds(5);
        while (!filter.mightContain(hash) && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        if (!filter.mightContain(hash)) {
            throw new AssertionError("the gateway's untagged-key filter never received the announcement");
        }
    }

    protected static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** A key created through the management API. */
    public record CreatedKey(String id, String key, String accountId) {}

    protected CreatedKey createKey(String accountId, String preset) {
        return createKey(accountId, Map.of("name", "test " + preset, "preset", preset));
    }

    @SuppressWarnings("unchecked")
    protected CreatedKey createKey(String accountId, Map<String, Object> body) {
        Map<String, Object> created = admin.post()
                .uri("/admin/v1/accounts/{a}/keys", accountId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return new CreatedKey((String) created.get("id"), (String) created.get("key"), accountId);
    }

    protected void addWorkspace(String accountId, String workspaceId) {
        admin.put()
                .uri("/admin/v1/accounts/{a}/workspaces/{w}", accountId, workspaceId)
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
    }

    protected void revoke(CreatedKey key) {
        admin.delete()
                .uri("/admin/v1/accounts/{a}/keys/{k}", key.accountId(), key.id())
                .exchange()
                .expectStatus()
                .isNoContent()
                .expectBody()
                .isEmpty();
    }

    @SuppressWarnings("unchecked")
    protected List<Map<String, Object>> listKeys(String accountId) {
        Map<String, Object> body = admin.get()
                .uri("/admin/v1/accounts/{a}/keys", accountId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (List<Map<String, Object>>) body.get("data");
    }

    /** An account with one owned workspace and a key of the preset. */
    protected record Tenant(String accountId, String workspaceId, CreatedKey key) {}

    protected Tenant tenant(String preset) {
        String account = unique("acct");
        String workspace = unique("ws");
        addWorkspace(account, workspace);
        return new Tenant(account, workspace, createKey(account, preset));
    }
}
