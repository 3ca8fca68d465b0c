package ai.powerpost.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The packaged gateway, {@code target/gateway.jar} as {@code ./mvnw verify} built it, started as its
 * own process the way README's "Running against a real Redis and backend" says: {@code java -jar}
 * with no JVM option of the test JVM's (no BlockHound agent, no leak detection, no test
 * logging), configured through environment variables only, against the suite's real Redis and a
 * real upstream. What ships is what is tested: an in-JVM gateway once passed a pipelining test
 * the jar did not.
 *
 * <p>Settings are given as property names ({@code gateway.http.header-timeout}) and passed as the
 * environment variables an operator would set ({@code GATEWAY_HTTP_HEADERTIMEOUT}), Spring Boot's
 * canonical mapping. Closing it sends SIGTERM and waits for the exit; its output is kept in a
 * temporary file, shown when it fails to start, and deleted on close.
 */
public final class GatewayProcess implements RunningGateway {

    private static final Path JAR = Path.of("target/gateway.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path output;
    private final int port;
    private final int managementPort;

    private GatewayProcess(Process process, Path output, int port, int managementPort) {
        this.process = process;
        this.output = output;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts the jar against the shared Redis and {@code upstreamUri}, with extra settings and JVM options. */
    public static GatewayProcess start(String upstreamUri, Map<String, ?> settings, List<String> jvmOptions) {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError("no " + JAR.toAbsolutePath()
                    + ": the packaged gateway (mvn package runs before the integration tests)");
        }
        int port = FreePorts.unused();
        int managementPort = FreePorts.unused();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
        env.put("SPRING_DATA_REDIS_URL", RedisSupport.redis().url());
        env.put("GATEWAY_UPSTREAM_POWERPOST", upstreamUri);
        env.put("GATEWAY_ROUTES_FILE", "../routes.yml");
        env.put("GATEWAY_ADMIN_TOKEN", GatewayTestBase.ADMIN_TOKEN);
        // as an operator sets them: the secret's id in the variable's name, the minting id in another
        env.put(
                "GATEWAY_KEYS_SECRETS_" + GatewayTestBase.KEY_SECRET_ID.toUpperCase(Locale.ROOT),
                GatewayTestBase.KEY_SECRET);
        env.put("GATEWAY_KEYS_MINTING_SECRET", GatewayTestBase.KEY_SECRET_ID);
        // as GatewayInstance does: the suite's tests send many bad keys from one address
        env.put("GATEWAY_AUTH_MAXFAILURES", "1000000");
        settings.forEach((name, value) -> env.put(environmentName(name), String.valueOf(value)));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toString());
        try {
            Path output = Files.createTempFile("gateway-process-", ".log");
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            // nothing of the test JVM's own tuning leaks in through the environment
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().remove("JDK_JAVA_OPTIONS");
            builder.environment().putAll(env);
            GatewayProcess started = new GatewayProcess(builder.start(), output, port, managementPort);
            started.awaitReady();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code gateway.http.header-timeout} → {@code GATEWAY_HTTP_HEADERTIMEOUT}; a name in capitals is kept. */
    static String environmentName(String property) {
        if (property.equals(property.toUpperCase(Locale.ROOT))) {
            return property;
        }
        return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private void awaitReady() throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        URI readiness = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                String text = output();
                Files.deleteIfExists(output);
                throw new AssertionError("the gateway process exited with " + process.exitValue() + ":\n" + text);
            }
            try {
                HttpResponse<Void> health = HTTP.send(
                        HttpRequest.newBuilder(readiness)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException stillStarting) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String text = output();
        close();
        throw new AssertionError("the gateway process was not ready within " + START_TIMEOUT + ":\n" + text);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int managementPort() {
        return managementPort;
    }

    @Override
    public WebTestClient admin() {
        return TestClients.admin(managementPort);
    }

    public Process process() {
        return process;
    }

    /** What the process has printed so far (its log lines and access log). */
    public String output() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGTERM, then waits for the exit (SIGKILL after 40 s); the output file is deleted. Fails if
     * anything the process printed is shaped like a secret ({@link NoSecretsInLogsExtension}).
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            List<String> secrets = NoSecretsInLogsExtension.secretsIn(output());
            Files.deleteIfExists(output);
            if (!secrets.isEmpty()) {
                throw new AssertionError(
                        "the gateway process printed lines shaped like a secret:\n  " + String.join("\n  ", secrets));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
