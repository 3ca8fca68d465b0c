package ai.powerpost.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Prometheus alert rules shipped beside the dashboard ({@code docker/prometheus/alerts.yml}):
 * {@code promtool check rules} accepts them, their unit tests ({@code alerts.test.yml}) pass under
 * {@code promtool test rules} and give every alert a case where it fires and one where it does
 * not, every alert carries a severity, a summary and a runbook entry in docs/alerts.md, and the
 * compose stack's Prometheus loads them. promtool must be installed ({@code .ci/run} installs it):
 * without it these tests fail, they never skip.
 */
class AlertRulesTest {

    private static final Path REPO = repositoryRoot();
    private static final Path RULES = REPO.resolve("docker/prometheus/alerts.yml");
    private static final Path RULE_TESTS = REPO.resolve("docker/prometheus/alerts.test.yml");
    private static final Path RUNBOOK = REPO.resolve("docs/alerts.md");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning");

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() {
        Result check = promtool("check", "rules", RULES.toString());
        assertThat(check.exit()).as("promtool check rules: %s", check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");

        Result test = promtool("test", "rules", RULE_TESTS.toString());
        assertThat(test.exit()).as("promtool test rules: %s", test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void aRuleWhoseThresholdDriftsFailsItsUnitTests(@TempDir Path dir) throws IOException {
        String rules = Files.readString(RULES);
        String drifted = rules.replaceFirst("\\n( +)> 0\\.05\\n", "\n$1> 0.5\n");
        assertThat(drifted).as("the 5xx-ratio threshold was found and changed").isNotEqualTo(rules);
        Files.writeString(dir.resolve("alerts.yml"), drifted);
        Files.copy(RULE_TESTS, dir.resolve("alerts.test.yml"));

        Result test = promtool("test", "rules", dir.resolve("alerts.test.yml").toString());

        assertThat(test.exit())
                .as("promtool test rules on a drifted rule: %s", test.output())
                .isNotZero();
        assertThat(test.output()).contains("GatewayHigh5xxRatio");
    }

    @Test
    void everyAlertHasATestCaseWhereItFiresAndOneWhereItDoesNot() throws IOException {
        Map<String, Set<String>> cases = new TreeMap<>();
        for (Object test : list(map(yaml(RULE_TESTS)).get("tests"))) {
            for (Object check : list(map(test).get("alert_rule_test"))) {
                String alert = (String) map(check).get("alertname");
                String kind = list(map(check).get("exp_alerts")).isEmpty() ? "does not fire" : "fires";
                cases.computeIfAbsent(alert, a -> new TreeSet<>()).add(kind);
            }
        }
        assertThat(cases.keySet()).as("alerts with tests").containsAll(alerts().keySet());
        assertThat(alerts().keySet()).as("tests of alerts that exist").containsAll(cases.keySet());
        cases.forEach(
                (alert, kinds) -> assertThat(kinds).as(alert).containsExactlyInAnyOrder("fires", "does not fire"));
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbookEntry() throws IOException {
        String runbook = Files.readString(RUNBOOK);
        assertThat(alerts()).hasSizeGreaterThanOrEqualTo(10);
        alerts().forEach((name, rule) -> {
            Map<String, Object> labels = map(rule.get("labels"));
            Map<String, Object> annotations = map(rule.get("annotations"));
            assertThat(labels.get("severity")).as(name + " severity").isIn(SEVERITIES);
            assertThat((String) annotations.get("summary"))
                    .as(name + " summary")
                    .isNotBlank();
            assertThat((String) annotations.get("description"))
                    .as(name + " description")
                    .isNotBlank();
            assertThat(annotations.get("runbook_url"))
                    .as(name + " runbook_url")
                    .isEqualTo("docs/alerts.md#" + name.toLowerCase(java.util.Locale.ROOT));
            assertThat(runbook).as("docs/alerts.md has a section for " + name).contains("\n## " + name + "\n");
        });
    }

    /**
     * The compose stack: compose.yml mounts the rules file where docker/prometheus.yml's
     * {@code rule_files} names it, and {@code promtool check config} accepts that layout.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theComposeStacksPrometheusLoadsTheRules(@TempDir Path etc) throws IOException {
        Map<String, Object> prometheus =
                map(map(map(yaml(REPO.resolve("docker/compose.yml"))).get("services"))
                        .get("prometheus"));
        String configInContainer = null;
        String rulesInContainer = null;
        for (Object volume : list(prometheus.get("volumes"))) {
            String[] parts = ((String) volume).split(":");
            if (parts[0].equals("./prometheus.yml")) {
                configInContainer = parts[1];
            } else if (parts[0].equals("./prometheus/alerts.yml")) {
                rulesInContainer = parts[1];
            }
        }
        assertThat(configInContainer).as("prometheus.yml mounted").isEqualTo("/etc/prometheus/prometheus.yml");
        assertThat(rulesInContainer).as("alerts.yml mounted").isNotNull().startsWith("/etc/prometheus/");
        List<String> ruleFiles =
                (List<String>) map(yaml(REPO.resolve("docker/prometheus.yml"))).get("rule_files");
        assertThat(ruleFiles)
                .as("docker/prometheus.yml rule_files (relative to the config file)")
                .containsExactly(rulesInContainer.substring("/etc/prometheus/".length()));

        Files.copy(REPO.resolve("docker/prometheus.yml"), etc.resolve("prometheus.yml"));
        Files.copy(RULES, etc.resolve(ruleFiles.get(0)));
        Result check = promtool("check", "config", etc.resolve("prometheus.yml").toString());
        assertThat(check.exit()).as("promtool check config: %s", check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    /** The alerting rules by name, in file order. */
    static Map<String, Map<String, Object>> alerts() {
        Map<String, Map<String, Object>> alerts = new java.util.LinkedHashMap<>();
        try {
            for (Object group : list(map(yaml(RULES)).get("groups"))) {
                for (Object rule : list(map(group).get("rules"))) {
                    String name = (String) map(rule).get("alert");
                    if (name != null && alerts.put(name, map(rule)) != null) {
                        throw new AssertionError("alert " + name + " defined twice");
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return alerts;
    }

    record Result(int exit, String output) {}

    /** Runs promtool; fails (never skips) when it is not installed. */
    static Result promtool(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("promtool");
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(
                    "promtool is not installed: apt-get install prometheus (.ci/run installs it); " + e.getMessage(),
                    e);
        }
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool did not finish in 60 s: " + command);
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Object yaml(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options)).load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** The repository root: the first directory upwards holding mvnw and routes.yml. */
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
