package ai.powerpost.gateway.demo;

import ai.powerpost.gateway.GatewayApplication;
import ai.powerpost.gateway.demo.DemoData.DemoKey;
import ai.powerpost.gateway.routing.Upstream;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationShutdownHandlers;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import reactor.netty.DisposableServer;

/**
 * The demo: a complete local setup in one process, for a newcomer's first run
 * ({@code java -jar demo/target/gateway-demo.jar} from the repository root, which holds
 * {@code routes.yml}).
 *
 * <p>Starts its own Redis ({@link DemoRedis}) and writes the {@link DemoData} into it, starts the
 * {@link MockPowerPostUpstream} and its sandbox (where test keys' calls go) on free loopback ports,
 * then the gateway itself, unchanged, pointed at them ({@code GATEWAY_UPSTREAM_POWERPOST} and
 * {@code GATEWAY_UPSTREAM_POWERPOST_SANDBOX}), with the admin token {@value DemoData#ADMIN_TOKEN}, the key-tag secret
 * {@value DemoData#KEY_SECRET_ID} and the public leak report endpoint on, and prints the keys once on standard
 * output. The demo's settings outrank the environment and the
 * command line, so a {@code SPRING_DATA_REDIS_URL} or {@code GATEWAY_UPSTREAM_POWERPOST[_SANDBOX]} in
 * the shell never leads the demo elsewhere; ports and everything else can be set as for the gateway
 * ({@code --server.port=…}). Redis and the mock are stopped after the gateway's context has closed
 * (on SIGINT, SIGTERM or a failed start), so no {@code redis-server} outlives the demo.
 */
public final class DemoApplication {

    private static final String LOOPBACK = "127.0.0.1";

    private DemoApplication() {}

    public static void main(String[] args) throws IOException {
        SpringApplicationShutdownHandlers afterTheGateway = SpringApplication.getShutdownHandlers();
        DemoRedis redis = DemoRedis.start();
        afterTheGateway.add(redis::close);
        writeDemoData(redis);
        DisposableServer upstream = MockPowerPostUpstream.start(LOOPBACK, 0);
        afterTheGateway.add(upstream::disposeNow);
        DisposableServer sandbox = MockPowerPostUpstream.start(LOOPBACK, 0, true);
        afterTheGateway.add(sandbox::disposeNow);

        Map<String, Object> settings = Map.of(
                "spring.data.redis.url",
                redis.url(),
                Upstream.overrideVariable("powerpost"),
                "http://" + LOOPBACK + ":" + upstream.port(),
                Upstream.sandboxOverrideVariable("powerpost"),
                "http://" + LOOPBACK + ":" + sandbox.port(),
                "gateway.admin.token",
                DemoData.ADMIN_TOKEN,
                "gateway.keys.secrets." + DemoData.KEY_SECRET_ID,
                DemoData.KEY_SECRET,
                "gateway.keys.minting-secret",
                DemoData.KEY_SECRET_ID,
                // anyone may report a found key (POST /secret-scanning/report); GitHub's partner
                // endpoint stays off: it needs GitHub's signing keys, and the demo runs offline
                "gateway.leaks.report.enabled",
                "true");
        SpringApplication gateway = new SpringApplication(GatewayApplication.class);
        gateway.addInitializers(context ->
                context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("demo", settings)));
        ConfigurableApplicationContext context;
        try {
            context = gateway.run(args);
        } catch (RuntimeException failedAndReported) {
            System.exit(1); // runs the shutdown handlers: Redis and the mock stop too
            return;
        }
        System.out.println(banner(context.getEnvironment()));
    }

    private static void writeDemoData(DemoRedis redis) {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            DemoData.write(connection.sync(), new SecureRandom(), Instant.now());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static String banner(Environment environment) {
        StringBuilder banner = new StringBuilder()
                .append("\nPowerPost edge gateway demo: embedded Redis, mock PowerPost backend.\n")
                .append("  API:             http://localhost:")
                .append(environment.getProperty("local.server.port"))
                .append('\n')
                .append("  account ")
                .append(DemoData.ACCOUNT)
                .append(", workspace ")
                .append(DemoData.WORKSPACE)
                .append('\n');
        for (DemoKey key : DemoData.KEYS) {
            banner.append("  ")
                    .append("%-16s".formatted(key.label() + " key:"))
                    .append(' ')
                    .append(key.secret())
                    .append('\n');
        }
        for (DemoData.DemoOperator operator : DemoData.OPERATORS) {
            banner.append("  ")
                    .append("%-16s".formatted(operator.label() + " token:"))
                    .append(' ')
                    .append(operator.token())
                    .append('\n');
        }
        return banner.append("  key management API: http://localhost:")
                .append(environment.getProperty("local.management.port"))
                .append("/admin/v1/accounts/")
                .append(DemoData.ACCOUNT)
                .append("/keys\n")
                .append("  console:            http://localhost:")
                .append(environment.getProperty("local.management.port"))
                .append("/console/ (sign in with an operator token above)\n")
                .append("  (named operators above; the bootstrap token, root, for emergencies:)\n")
                .append("                      (Authorization: Bearer ")
                .append(DemoData.ADMIN_TOKEN)
                .append(")\n")
                .toString();
    }
}
