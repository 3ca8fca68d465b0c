package ai.powerpost.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.demo.DemoProcess.Ports;
import ai.powerpost.gateway.demo.ReadmeDemo.Example;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo as README.md starts it, and every curl line of README's "Try the demo" run against it
 * with the real curl, each checked against the status and answer its comment gives.
 *
 * <p>The jar is started with README's command ({@code java -jar demo/target/gateway-demo.jar}),
 * from the repository root, as a process of its own, with two changes only: {@code java} is the
 * JVM running this test, and {@code --server.port=0 --management.server.port=0} are appended, so
 * the demo binds free ports and cannot collide with another test or anything else on the machine.
 * The curl lines run through bash as written, after README's variable assignments, with
 * {@code localhost:8080} and {@code localhost:8081} replaced by the ports the demo printed, and
 * {@code <key id>} and {@code <key>} by what the create line answered.
 */
class ReadmeDemoIT {

    private static final Path ROOT = repositoryRoot();
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration CURL_TIMEOUT = Duration.ofSeconds(30);
    private static final String API = "localhost:8080";
    private static final String MANAGEMENT = "localhost:8081";
    private static final Pattern CREATED_KEY = Pattern.compile("\"key\":\"(pp_(?:live|test)_sk_[A-Za-z0-9]+)\"");
    private static final String BANNER_START = "PowerPost edge gateway demo:";
    private static final String BANNER_END = "(Authorization: Bearer " + DemoData.ADMIN_TOKEN + ")";

    @Test
    void everyCurlLineOfTheReadmeAnswersWhatItsCommentSays() throws Exception {
        ReadmeDemo readme = ReadmeDemo.parse(Files.readString(ROOT.resolve("README.md")));
        assertThat(readme.assignments().stream().map(assignment -> assignment.substring(assignment.indexOf('=') + 1)))
                .as("README's keys and operator tokens are the demo's")
                .containsExactlyElementsOf(java.util.stream.Stream.concat(
                                DemoData.KEYS.stream().map(DemoData.DemoKey::secret),
                                DemoData.OPERATORS.stream().map(DemoData.DemoOperator::token))
                        .toList());

        List<String> command = new ArrayList<>(readme.startCommand());
        assertThat(command.subList(0, 2)).isEqualTo(List.of("java", "-jar"));
        assertThat(ROOT.resolve(command.get(2)))
                .as("the demo jar (package runs before the integration tests)")
                .isRegularFile();
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--server.port=0", "--management.server.port=0"));

        Map<String, String> answered = new LinkedHashMap<>();
        DemoProcess demo = DemoProcess.start(ROOT, command);
        try (demo) {
            Ports ports = demo.awaitBanner(START_TIMEOUT);
            assertThat(demo.children())
                    .as("the processes the demo started: its own redis-server")
                    .anyMatch(child -> child.info().command().orElse("").contains("redis-server"));
            List<Answer> answers = runInOneShell(readme, ports, answered);
            for (int i = 0; i < readme.examples().size(); i++) {
                Example example = readme.examples().get(i);
                Answer answer = answers.get(i);
                String what = example.command() + "\n  answered:\n" + answer.raw();
                assertThat(answer.status()).as(what).isEqualTo(example.status());
                if (example.body() != null) {
                    assertThat(answer.body()).as(what).isEqualTo(example.body());
                }
                if (CREATED_KEY.matcher(answer.body()).find()) {
                    assertThat(example.status())
                            .as("a secret in an answer other than a create's: " + what)
                            .isEqualTo(201);
                } else {
                    assertThat(answer.body())
                            .as("no answer but a create's holds a secret: " + what)
                            .doesNotContain("pp_live_sk_")
                            .doesNotContain("pp_test_sk_");
                }
                if (example.status() != 201) {
                    assertThat(answer.body())
                            .as("no answer but a create's holds an operator token: " + what)
                            .doesNotContain("ppgw_op_");
                }
            }
            assertThat(answered.get("KEY_ID"))
                    .as("README's KEY_ID, from a create's answer")
                    .matches("key_[A-Za-z0-9]+");
            assertThat(answered.get("KEY"))
                    .as("README's KEY, from a create's answer")
                    .matches("pp_live_sk_[A-Za-z0-9]+");
        }
        assertNoSecretOutsideTheBanner(demo.output(), answered.get("KEY"));
    }

    /** The demo's output: its keys and token only in the banner, the created key nowhere. */
    private static void assertNoSecretOutsideTheBanner(String output, String createdKey) {
        List<String> secrets = new ArrayList<>(
                DemoData.KEYS.stream().map(DemoData.DemoKey::secret).toList());
        secrets.add(DemoData.ADMIN_TOKEN);
        DemoData.OPERATORS.forEach(operator -> secrets.add(operator.token()));
        List<String> lines = output.lines().toList();
        int start = lines.indexOf(BANNER_START + " embedded Redis, mock PowerPost backend.");
        int end = lines.indexOf("                      " + BANNER_END);
        assertThat(start).as("the banner in the demo's output").isNotNegative();
        assertThat(end).as("the banner's end in the demo's output").isGreaterThan(start);
        List<String> banner = lines.subList(start, end + 1);
        for (String secret : secrets) {
            assertThat(banner).as("the banner prints " + secret).anyMatch(line -> line.contains(secret));
        }
        List<String> leaks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean inBanner = i >= start && i <= end;
            if (line.contains(createdKey) || (!inBanner && secrets.stream().anyMatch(line::contains))) {
                leaks.add(line);
            }
        }
        assertThat(leaks).as("lines of the demo's output holding a secret").isEmpty();
    }

    private static String substitute(String line, Ports ports) {
        return line.replace(API, "localhost:" + ports.api()).replace(MANAGEMENT, "localhost:" + ports.management());
    }

    /**
     * Runs README's lines in order in one bash, as a reader pastes them: each curl line's output
     * into a file of its own (curl must exit 0), every other line as written. Afterwards the
     * variables README's {@code NAME=$(…)} lines set are put into {@code captured}.
     */
    private static List<Answer> runInOneShell(ReadmeDemo readme, Ports ports, Map<String, String> captured)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("readme-demo-");
        try {
            StringBuilder script = new StringBuilder();
            List<String> names = new ArrayList<>();
            int example = 0;
            for (String line : readme.lines()) {
                String run = substitute(line, ports);
                if (example < readme.examples().size()
                        && line.equals(readme.examples().get(example).command())) {
                    assertThat(line)
                            .as("README's curl lines go to " + API + " or " + MANAGEMENT)
                            .containsAnyOf(API, MANAGEMENT);
                    script.append("{ ")
                            .append(run)
                            .append("\n} > ")
                            .append(dir.resolve(example + ".out"))
                            .append(" 2> ")
                            .append(dir.resolve(example + ".err"))
                            .append("; echo $? > ")
                            .append(dir.resolve(example + ".rc"))
                            .append('\n');
                    example++;
                } else {
                    script.append(run).append('\n');
                    if (run.contains("=$(")) {
                        names.add(run.substring(0, run.indexOf('=')));
                    }
                }
            }
            assertThat(example)
                    .as("every curl line of README's demo is run")
                    .isEqualTo(readme.examples().size());
            for (String name : names) {
                script.append("printf '%s=%s\\n' ")
                        .append(name)
                        .append(" \"$")
                        .append(name)
                        .append("\" >> ")
                        .append(dir.resolve("captured"))
                        .append('\n');
            }
            Process bash = new ProcessBuilder("bash", "-c", script.toString())
                    .directory(ROOT.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("bash.out").toFile())
                    .start();
            long timeout = CURL_TIMEOUT.toSeconds() * readme.lines().size();
            if (!bash.waitFor(timeout, TimeUnit.SECONDS)) {
                bash.destroyForcibly();
                throw new AssertionError("README's lines did not finish within " + timeout + " s");
            }
            String shell = Files.readString(dir.resolve("bash.out"));
            assertThat(bash.exitValue())
                    .as("bash, running README's lines:\n" + shell)
                    .isZero();
            for (String assignment : Files.readAllLines(dir.resolve("captured"))) {
                captured.put(
                        assignment.substring(0, assignment.indexOf('=')),
                        assignment.substring(assignment.indexOf('=') + 1));
            }
            List<Answer> answers = new ArrayList<>();
            for (int i = 0; i < example; i++) {
                String command = readme.examples().get(i).command();
                assertThat(Files.readString(dir.resolve(i + ".rc")).trim())
                        .as("exit status of " + command + "\n" + Files.readString(dir.resolve(i + ".err")))
                        .isEqualTo("0");
                answers.add(Answer.of(Files.readString(dir.resolve(i + ".out"), StandardCharsets.UTF_8)));
            }
            return answers;
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path file :
                        files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    /** What {@code curl -i} printed: the status line and headers, a blank line, the body. */
    private record Answer(String raw, int status, String body) {

        static Answer of(String raw) {
            int split = raw.indexOf("\r\n\r\n");
            assertThat(split)
                    .as("curl -i output (every README line needs -i):\n" + raw)
                    .isNotNegative();
            String statusLine = raw.substring(0, raw.indexOf("\r\n"));
            Matcher status = Pattern.compile("^HTTP/\\S+ (\\d{3})\\b.*").matcher(statusLine);
            assertThat(status.matches())
                    .as("an HTTP status line: " + statusLine)
                    .isTrue();
            return new Answer(raw, Integer.parseInt(status.group(1)), raw.substring(split + 4));
        }
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("routes.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no repository root (mvnw and routes.yml) above " + Path.of("").toAbsolutePath());
    }
}
