package ai.powerpost.gateway.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import ai.powerpost.gateway.admin.KeyAdminService;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.routing.Upstream;
import ai.powerpost.gateway.routing.UpstreamOverride;
import io.lettuce.core.resource.ClientResources;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import redis.embedded.RedisServer;

/**
 * The {@code demo} profile: a complete local setup in one process, for a newcomer's first run.
 * Starts the {@code redis-server} binary shipped in embedded-redis on a free loopback port, the
 * {@link MockPowerPostUpstream} as the {@code powerpost} upstream, records one workspace for the
 * demo account and creates one key per preset, printed once on standard output. Never active
 * outside the profile; nothing here is on the production path.
 */
@Configuration(proxyBeanMethods = false)
@Profile("demo")
class DemoConfiguration {

    static final String ACCOUNT = "acct_demo";
    static final String WORKSPACE = "ws_demo";
    /** Fixed so the README's curl lines can be pasted; they only ever open the embedded demo. */
    static final String FULL_ACCESS_KEY = "pp_live_sk_demoFullAccess0000000000000001";
    static final String DRAFT_ONLY_KEY = "pp_live_sk_demoDraftOnly00000000000000001";
    static final String READ_ONLY_KEY = "pp_live_sk_demoReadOnly000000000000000001";

    @Bean(destroyMethod = "stop")
    RedisServer demoRedisServer() throws IOException {
        RedisServer server = RedisServer.newRedisServer()
                .port(freePort())
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        return server;
    }

    @Bean
    LettuceConnectionFactory redisConnectionFactory(RedisServer demoRedisServer, ClientResources clientResources) {
        int port = demoRedisServer.ports().get(0);
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .clientResources(clientResources)
                .commandTimeout(Duration.ofSeconds(2))
                .build();
        return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port), client);
    }

    @Bean(destroyMethod = "disposeNow")
    DisposableServer demoUpstreamServer() {
        return MockPowerPostUpstream.start("127.0.0.1", 0);
    }

    @Bean
    UpstreamOverride demoUpstream(DisposableServer demoUpstreamServer) {
        String uri = "http://127.0.0.1:" + demoUpstreamServer.port();
        return variable -> Upstream.overrideVariable("powerpost").equals(variable) ? uri : null;
    }

    @Bean
    ApplicationRunner demoData(KeyAdminService admin) {
        return args -> admin.addWorkspace(ACCOUNT, WORKSPACE)
                .thenMany(Flux.concat(
                        admin.create(ACCOUNT, "demo full access", Scope.FULL_ACCESS, FULL_ACCESS_KEY),
                        admin.create(ACCOUNT, "demo draft only", Scope.DRAFT_ONLY, DRAFT_ONLY_KEY),
                        admin.create(ACCOUNT, "demo read only", Scope.READ_ONLY, READ_ONLY_KEY)))
                .collectList()
                .doOnNext(keys -> System.out.println("""

                        PowerPost edge gateway demo: embedded Redis, mock PowerPost backend.
                          account %s, workspace %s
                          full access key: %s
                          draft only key:  %s
                          read only key:   %s
                          key management API: http://localhost:8081/admin/v1/accounts/%s/keys
                                              (Authorization: Bearer demo-admin-token)
                        """.formatted(ACCOUNT, WORKSPACE, FULL_ACCESS_KEY, DRAFT_ONLY_KEY, READ_ONLY_KEY, ACCOUNT)))
                .subscribe();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
