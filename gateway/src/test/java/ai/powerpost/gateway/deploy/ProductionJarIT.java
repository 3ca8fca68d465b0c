package ai.powerpost.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production artefact, {@code target/gateway.jar} as {@code package} leaves it, holds no demo:
 * no class of {@code ai.powerpost.gateway.demo}, no mock backend, no demo configuration, no
 * embedded-redis (nor any {@code redis-server} binary) among its libraries, and none of the demo's
 * secrets, its three keys and its admin token as README's "Try the demo" lists them, in any entry,
 * the entries of nested libraries included. The demo is its own module (demo/).
 */
class ProductionJarIT {

    private static final Path JAR = Path.of("target/gateway.jar");
    private static final Path README = Path.of("../README.md");
    /** In ApiKeys: shows that the scan reads the constants of the jar's classes. */
    private static final String KEY_PREFIX = "pp_live_sk_";

    /** Every entry as {@code jar tf} lists it, then the entries of each nested jar, as {@code lib.jar!/entry}. */
    private static final List<String> ENTRIES = new ArrayList<>();
    /** For each string looked for, the entries (nested ones included) whose bytes hold it. */
    private static final Map<String, List<String>> HOLDERS = new LinkedHashMap<>();

    private static List<String> demoSecrets;

    @BeforeAll
    static void readTheJar() throws IOException {
        assertThat(JAR)
                .as("the packaged gateway (mvn package runs before the integration tests)")
                .isRegularFile();
        demoSecrets = demoSecretsOfTheReadme();
        HOLDERS.put(KEY_PREFIX, new ArrayList<>());
        demoSecrets.forEach(secret -> HOLDERS.put(secret, new ArrayList<>()));
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                ENTRIES.add(entry.getName());
                if (entry.isDirectory()) {
                    continue;
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    if (entry.getName().endsWith(".jar")) {
                        readNested(entry.getName(), in);
                    } else {
                        search(entry.getName(), in.readAllBytes());
                    }
                }
            }
        }
    }

    @Test
    void isTheGatewaysBootJar() {
        assertThat(ENTRIES)
                .contains(
                        "BOOT-INF/classes/ai/powerpost/gateway/GatewayApplication.class",
                        "BOOT-INF/classes/application.yml",
                        "org/springframework/boot/loader/launch/JarLauncher.class");
        assertThat(entries(name -> name.matches("BOOT-INF/lib/lettuce-core-[^/]+\\.jar")))
                .hasSize(1);
        assertThat(HOLDERS.get(KEY_PREFIX))
                .as("entries holding " + KEY_PREFIX)
                .contains("BOOT-INF/classes/ai/powerpost/gateway/auth/ApiKeys.class");
    }

    @Test
    void holdsNoClassOrConfigurationOfTheDemo() {
        assertThat(entries(name -> name.contains("ai/powerpost/gateway/demo/"))).isEmpty();
        assertThat(entries(name -> name.contains("MockPowerPost"))).isEmpty();
        assertThat(entries(name -> name.contains("application-demo"))).isEmpty();
    }

    @Test
    void holdsNoEmbeddedRedis() {
        assertThat(entries(name -> name.startsWith("BOOT-INF/lib/embedded-redis")))
                .isEmpty();
        assertThat(entries(name -> name.contains("redis/embedded/"))).isEmpty();
        assertThat(entries(name -> name.substring(name.lastIndexOf('/') + 1).startsWith("redis-server")))
                .isEmpty();
    }

    @Test
    void holdsNoDemoSecret() {
        Map<String, List<String>> held = new LinkedHashMap<>();
        demoSecrets.stream()
                .filter(secret -> !HOLDERS.get(secret).isEmpty())
                .forEach(secret -> held.put(secret, HOLDERS.get(secret)));
        assertThat(held)
                .as("the demo's secrets, each with the entries that hold it")
                .isEmpty();
    }

    private static List<String> entries(Predicate<String> matching) {
        return ENTRIES.stream().filter(matching).toList();
    }

    private static void readNested(String name, InputStream in) throws IOException {
        JarInputStream nested = new JarInputStream(in);
        for (JarEntry entry = nested.getNextJarEntry(); entry != null; entry = nested.getNextJarEntry()) {
            String path = name + "!/" + entry.getName();
            ENTRIES.add(path);
            if (!entry.isDirectory()) {
                search(path, nested.readAllBytes());
            }
        }
    }

    private static void search(String path, byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        HOLDERS.forEach((needle, holders) -> {
            if (text.contains(needle)) {
                holders.add(path);
            }
        });
    }

    /**
     * The demo's keys ({@code NAME=pp_live_sk_…}), its operator tokens ({@code NAME=ppgw_op_…}) and
     * its bootstrap token (named in the prose: {@code bootstrap token `<token>`}).
     */
    private static List<String> demoSecretsOfTheReadme() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n### Try the demo\n");
        assertThat(start).as("README.md's \"Try the demo\" section").isNotNegative();
        int end = readme.indexOf("\n## ", start);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> keys = all(Pattern.compile("(?m)^[A-Z]+=(" + KEY_PREFIX + "[A-Za-z0-9]+)$"), section);
        List<String> operators = all(Pattern.compile("(?m)^[A-Z]+=(ppgw_op_[A-Za-z0-9]+)$"), section);
        List<String> tokens = all(Pattern.compile("bootstrap token `([A-Za-z0-9_-]+)`"), section).stream()
                .distinct()
                .toList();
        assertThat(keys).as("the demo keys in README.md").hasSize(3);
        assertThat(operators).as("the demo operator tokens in README.md").hasSize(3);
        assertThat(tokens).as("the demo admin token in README.md").hasSize(1);
        List<String> secrets = new ArrayList<>(keys);
        secrets.addAll(operators);
        secrets.addAll(tokens);
        return secrets;
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
