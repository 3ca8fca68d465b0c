package ai.powerpost.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import ai.powerpost.gateway.GatewayApplication;
import ai.powerpost.gateway.access.WorkspaceProperties;
import ai.powerpost.gateway.admin.AdminProperties;
import ai.powerpost.gateway.admin.AuditProperties;
import ai.powerpost.gateway.admin.console.ConsoleProperties;
import ai.powerpost.gateway.auth.AuthProperties;
import ai.powerpost.gateway.auth.KeyCacheProperties;
import ai.powerpost.gateway.auth.KeySecretsProperties;
import ai.powerpost.gateway.http.HttpLimitsProperties;
import ai.powerpost.gateway.leaks.LeaksProperties;
import ai.powerpost.gateway.ratelimit.RateLimitProperties;
import ai.powerpost.gateway.routing.RoutingProperties;
import ai.powerpost.gateway.support.ExpectedLogs;
import ai.powerpost.gateway.usage.UsageProperties;
import ai.powerpost.gateway.web.EdgeProperties;
import ch.qos.logback.classic.Level;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.validation.annotation.Validated;

/**
 * Every settings record of the gateway refuses nonsense when Spring Boot binds it, and a bad
 * setting stops the start-up with one failure report naming the property, its value and the
 * rule, never a stack trace. The application started here is the settings alone (every
 * {@code @ConfigurationProperties} record of the gateway, bound from application.yml and the
 * command line as in production), so each case is a real start-up that fails as the gateway's would.
 */
@ExtendWith(OutputCaptureExtension.class)
class SettingsValidationTest {

    /** Boot's failure reports, which every bad setting here causes on purpose: asserted, not printed. */
    private final ExpectedLogs reports =
            ExpectedLogs.expect("org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter", Level.ERROR);

    /** Spring's WARN that the refresh was cancelled, which each of those failures logs before the report. */
    private final ExpectedLogs cancelled = ExpectedLogs.expect(
            "org.springframework.context.annotation.AnnotationConfigApplicationContext", Level.WARN);

    @AfterEach
    void stopClaimingReports() {
        reports.close();
        cancelled.close();
    }

    /** The gateway's settings records, and nothing else. */
    @Configuration(proxyBeanMethods = false)
    @ConfigurationPropertiesScan(basePackageClasses = GatewayApplication.class)
    static class Settings {}

    private static ConfigurableApplicationContext start(String... args) {
        return new SpringApplicationBuilder(Settings.class)
                .web(WebApplicationType.NONE)
                .logStartupInfo(false)
                .run(args);
    }

    private static final String AT_LEAST_1 = "must be greater than or equal to 1";

    static Stream<Arguments> badSettings() {
        return Stream.of(
                arguments(AdminProperties.class, "gateway.admin.max-keys-per-account", "0", AT_LEAST_1),
                arguments(
                        AdminProperties.class,
                        "gateway.admin.last-used-flush-interval",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        AuditProperties.class,
                        "gateway.audit.retention",
                        "0d",
                        "must be a positive duration, but was PT0S"),
                arguments(AuthProperties.class, "gateway.auth.max-failures", "0", AT_LEAST_1),
                arguments(
                        ConsoleProperties.class,
                        "gateway.console.session-idle-timeout",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(ConsoleProperties.class, "gateway.console.max-sessions", "0", AT_LEAST_1),
                arguments(
                        AuthProperties.class,
                        "gateway.auth.failure-window",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        AuthProperties.class,
                        "gateway.auth.failure-min-latency",
                        "-1ms",
                        "must be a positive duration, but was PT-0.001S"),
                arguments(KeyCacheProperties.class, "gateway.keys.max-size", "0", AT_LEAST_1),
                arguments(KeySecretsProperties.class, "gateway.keys.untagged-filter-capacity", "0", AT_LEAST_1),
                arguments(
                        KeyCacheProperties.class,
                        "gateway.keys.max-age",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        KeyCacheProperties.class,
                        "gateway.keys.negative-max-age",
                        "-5s",
                        "must be a positive duration, but was PT-5S"),
                arguments(
                        KeyCacheProperties.class,
                        "gateway.keys.lookup-timeout",
                        "0ms",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        KeyCacheProperties.class,
                        "gateway.keys.outage-grace",
                        "0m",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        HttpLimitsProperties.class,
                        "gateway.http.header-timeout",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        HttpLimitsProperties.class,
                        "gateway.http.body-idle-timeout",
                        "-1s",
                        "must be a positive duration, but was PT-1S"),
                arguments(
                        HttpLimitsProperties.class,
                        "gateway.http.body-min-rate",
                        "-1",
                        "must be greater than or equal to 0"),
                arguments(
                        HttpLimitsProperties.class,
                        "gateway.http.body-min-rate-grace",
                        "-1s",
                        "must be zero or a positive duration, but was PT-1S"),
                arguments(HttpLimitsProperties.class, "gateway.http.max-connections", "0", AT_LEAST_1),
                arguments(
                        HttpLimitsProperties.class,
                        "gateway.http.linger-timeout",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        RateLimitProperties.class,
                        "gateway.rate-limit.sync-interval",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(RateLimitProperties.class, "gateway.rate-limit.shards", "0", AT_LEAST_1),
                arguments(
                        RateLimitProperties.class,
                        "gateway.rate-limit.shards",
                        "16385",
                        "must be less than or equal to 16384"),
                arguments(RateLimitProperties.class, "gateway.rate-limit.max-batch", "0", AT_LEAST_1),
                arguments(
                        RateLimitProperties.class,
                        "gateway.rate-limit.max-batch",
                        "10001",
                        "must be less than or equal to 10000"),
                arguments(RateLimitProperties.class, "gateway.rate-limit.max-keys", "0", AT_LEAST_1),
                arguments(
                        RoutingProperties.class,
                        "gateway.routes.reload-interval",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        UsageProperties.class,
                        "gateway.usage.flush-interval",
                        "-1s",
                        "must be a positive duration, but was PT-1S"),
                arguments(
                        UsageProperties.class,
                        "gateway.usage.counts-flush-interval",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(UsageProperties.class, "gateway.usage.max-pending", "0", AT_LEAST_1),
                arguments(UsageProperties.class, "gateway.usage.max-keys", "0", AT_LEAST_1),
                arguments(UsageProperties.class, "gateway.usage.max-networks-per-key", "0", AT_LEAST_1),
                arguments(
                        UsageProperties.class,
                        "gateway.usage.max-networks-per-key",
                        "100001",
                        "must be less than or equal to 100000"),
                arguments(
                        UsageProperties.class,
                        "gateway.usage.new-network-lookback",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        UsageProperties.class, "gateway.usage.spike-factor", "1", "must be greater than or equal to 2"),
                arguments(UsageProperties.class, "gateway.usage.spike-minimum", "0", AT_LEAST_1),
                arguments(UsageProperties.class, "gateway.usage.network-record-min-days", "0", AT_LEAST_1),
                arguments(
                        UsageProperties.class,
                        "gateway.usage.network-record-min-days",
                        "35",
                        "must be less than or equal to 34"),
                arguments(
                        UsageProperties.class,
                        "gateway.usage.successor-cache-ttl",
                        "-1s",
                        "must be a positive duration, but was PT-1S"),
                arguments(
                        LeaksProperties.class,
                        "gateway.leaks.github.keys-url",
                        "ftp://example.com/keys",
                        "must be an http:// or https:// URL, but was 'ftp://example.com/keys'"),
                arguments(
                        LeaksProperties.class,
                        "gateway.leaks.github.keys-refetch-interval",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        LeaksProperties.class,
                        "gateway.leaks.github.keys-timeout",
                        "-1s",
                        "must be a positive duration, but was PT-1S"),
                arguments(LeaksProperties.class, "gateway.leaks.github.concurrency", "0", AT_LEAST_1),
                arguments(
                        LeaksProperties.class,
                        "gateway.leaks.github.concurrency",
                        "257",
                        "must be less than or equal to 256"),
                arguments(LeaksProperties.class, "gateway.leaks.report.max-per-address", "0", AT_LEAST_1),
                arguments(
                        LeaksProperties.class,
                        "gateway.leaks.report.window",
                        "0s",
                        "must be a positive duration, but was PT0S"),
                arguments(
                        EdgeProperties.class,
                        "gateway.edge.trusted-proxies[0]",
                        "10.0.0.0/33",
                        "must be an IP address or a CIDR such as 10.0.0.0/8, but was '10.0.0.0/33'"),
                arguments(
                        EdgeProperties.class,
                        "gateway.edge.trusted-proxies[1]",
                        "lb.internal",
                        "must be an IP address or a CIDR such as 10.0.0.0/8, but was 'lb.internal'"));
    }

    @ParameterizedTest(name = "{1}={2}")
    @MethodSource("badSettings")
    void aBadSettingStopsTheStartWithOneReportNamingThePropertyAndTheRule(
            Class<?> record, String property, String value, String rule, CapturedOutput output) {
        String[] args = property.endsWith("[1]")
                ? new String[] {"--" + property.replace("[1]", "[0]") + "=10.0.0.0/8", "--" + property + "=" + value}
                : new String[] {"--" + property + "=" + value};

        assertThatThrownBy(() -> start(args)).hasStackTraceContaining(record.getName());

        // Boot's report names the record component ("gateway.keys.maxAge") and, but for list
        // entries and the components of a nested record (gateway.leaks.github.*: Boot reports no
        // origin for those), where the value came from, under the name as written ("gateway.keys.max-age")
        String printed = oneReport(output);
        assertThat(printed)
                .contains(
                        "Binding to target " + record.getName() + " failed:",
                        "Property: " + componentName(property),
                        "Reason: " + rule);
        boolean nested = property.split("\\.").length > 3;
        if (!property.endsWith("]") && !nested) {
            assertThat(printed).contains("Origin: \"" + property + "\" from property source \"commandLineArgs\"");
        }
    }

    @Test
    void anUnknownLeakActionIsOneReport(CapturedOutput output) {
        assertThatThrownBy(() -> start("--gateway.leaks.action=delete"))
                .hasStackTraceContaining(LeaksProperties.class.getName());

        assertThat(oneReport(output))
                .contains(
                        "Property: gateway.leaks.action",
                        "Value: \"delete\"",
                        "Reason: failed to convert java.lang.String to");
    }

    @Test
    void aValueBootCannotConvertIsTheSameOneReport(CapturedOutput output) {
        assertThatThrownBy(() -> start("--gateway.workspaces.verify-ownership=maybe"))
                .hasStackTraceContaining(WorkspaceProperties.class.getName());

        assertThat(oneReport(output))
                .contains(
                        "Property: gateway.workspaces.verify-ownership",
                        "Value: \"maybe\"",
                        "Origin: \"gateway.workspaces.verify-ownership\" from property source \"commandLineArgs\"",
                        "Reason: failed to convert java.lang.String to",
                        "Invalid boolean value 'maybe'");
    }

    /**
     * Exactly one failure report, with its action, and no stack trace in the output. Returns the
     * report with everything else printed, as a reader of the console would have seen it.
     */
    private String oneReport(CapturedOutput output) {
        List<String> logged = reports.messages();
        assertThat(logged).as("one failure report:%n%s", logged).hasSize(1);
        String printed = logged.get(0) + "\n" + output.getAll();
        assertThat(printed.split("APPLICATION FAILED TO START", -1))
                .as("one failure report:%n%s", printed)
                .hasSize(2);
        assertThat(printed).contains("Action:", "Update your application's configuration");
        assertThat(printed).as("no stack trace").doesNotContain("\tat ", "Application run failed");
        return printed;
    }

    /** {@code gateway.rate-limit.max-batch} → {@code gateway.rate-limit.maxBatch}: the last segment as the record names it. */
    private static String componentName(String property) {
        int last = property.lastIndexOf('.');
        StringBuilder name = new StringBuilder(property.substring(0, last + 1));
        boolean upper = false;
        for (char c : property.substring(last + 1).toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    // ---------------------------------------------------------------- key-tag secrets

    /** 33 bytes, base64: a valid secret. */
    private static final String GOOD_SECRET = "c2VjcmV0LXZhbHVlLW5vYm9keS1tdXN0LWV2ZXItc2Vl";
    /** 31 bytes: one short. */
    private static final String SHORT_SECRET = "c2hvcnQtc2VjcmV0LW5vYm9keS1tdXN0LWV2ZXItcw==";

    static Stream<Arguments> badKeySecrets() {
        return Stream.of(
                arguments(
                        List.of("--gateway.keys.secrets.a=not base64 at all: " + GOOD_SECRET),
                        "gateway.keys.secrets.a must be base64 of at least 32 random bytes "
                                + "(openssl rand -base64 32), but was not base64"),
                arguments(
                        List.of("--gateway.keys.secrets.a=" + SHORT_SECRET),
                        "gateway.keys.secrets.a must be base64 of at least 32 random bytes "
                                + "(openssl rand -base64 32), but was 31 bytes"),
                arguments(
                        List.of("--gateway.keys.secrets.a=" + GOOD_SECRET, "--gateway.keys.minting-secret=b"),
                        "gateway.keys.minting-secret must be the id of one of gateway.keys.secrets.<id> [a], "
                                + "but was 'b'"),
                arguments(
                        // the secret itself where its id belongs: named as a mistake, never echoed
                        List.of(
                                "--gateway.keys.secrets.a=" + GOOD_SECRET,
                                "--gateway.keys.minting-secret=" + GOOD_SECRET),
                        "gateway.keys.minting-secret must be the id of one of gateway.keys.secrets.<id> [a], "
                                + "but was not a secret id (it names one of the secrets, it is not one)"),
                arguments(
                        List.of("--gateway.keys.secrets.Bad_Id=" + GOOD_SECRET),
                        "secret ids must be 1-16 characters of [a-z0-9]"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badKeySecrets")
    void aBadKeySecretStopsTheStartWithOneReportThatNeverShowsASecret(
            List<String> args, String reason, CapturedOutput output) {
        assertThatThrownBy(() -> start(args.toArray(String[]::new)))
                .hasStackTraceContaining(KeySecretsProperties.class.getName());

        String printed = oneReport(output);
        assertThat(printed)
                .contains("Binding to target " + KeySecretsProperties.class.getName() + " failed:", "Reason: " + reason)
                .doesNotContain(GOOD_SECRET, SHORT_SECRET, GOOD_SECRET.substring(0, 12), SHORT_SECRET.substring(0, 12));
    }

    @Test
    void secretsBindFromTheEnvironmentsNamesAndFromAConfigTree(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // A mounted Kubernetes Secret: one file per property, named as the property
        java.nio.file.Files.writeString(dir.resolve("gateway.keys.secrets.k2"), GOOD_SECRET + "\n");
        java.nio.file.Files.writeString(dir.resolve("gateway.keys.minting-secret"), "k2");
        try (ConfigurableApplicationContext context =
                start("--spring.config.import=configtree:" + dir + "/", "--gateway.keys.secrets.k1=" + GOOD_SECRET)) {
            KeySecretsProperties secrets = context.getBean(KeySecretsProperties.class);
            assertThat(secrets.secrets()).containsOnlyKeys("k1", "k2");
            assertThat(secrets.mintingSecret()).isEqualTo("k2");
            assertThat(secrets.toString())
                    .isEqualTo("KeySecretsProperties[secrets=[k1, k2], mintingSecret=k2, untaggedFilterCapacity=10000]")
                    .doesNotContain(GOOD_SECRET);
            assertThat(new ai.powerpost.gateway.auth.KeyTags(secrets).secretIds())
                    .containsExactly("k1", "k2");
        }
    }

    @Test
    void noSecretAtAllIsAValidSetting() {
        try (ConfigurableApplicationContext context = start()) {
            KeySecretsProperties secrets = context.getBean(KeySecretsProperties.class);
            assertThat(secrets.secrets()).isEmpty();
            assertThat(secrets.canMint()).isFalse();
        }
    }

    @Test
    void theDefaultsBindAndPassEveryRule() {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBean(HttpLimitsProperties.class).headerTimeout())
                    .hasSeconds(30);
            assertThat(context.getBean(KeyCacheProperties.class).outageGrace()).hasMinutes(5);
            assertThat(context.getBean(EdgeProperties.class).trustedProxies()).isEmpty();
            assertThat(context.getBean(AdminProperties.class).enabled()).isFalse();
        }
    }

    @Test
    void theRecordsOwnDefaultsPassEveryRuleToo() {
        // application.yml repeats most defaults; without it, the records' @DefaultValues must be valid themselves
        try (ConfigurableApplicationContext context = start("--spring.config.location=optional:classpath:/none/")) {
            assertThat(context.getBean(RateLimitProperties.class).syncInterval())
                    .hasMillis(100);
            assertThat(context.getBean(UsageProperties.class).flushInterval()).hasSeconds(5);
            assertThat(context.getBean(RoutingProperties.class).reloadInterval())
                    .hasSeconds(2);
            assertThat(context.getBean(WorkspaceProperties.class).verifyOwnership())
                    .isTrue();
            assertThat(context.getBean(AuthProperties.class).failureMinLatency())
                    .hasMillis(25);
        }
    }

    @Test
    void zeroIsAllowedWhereItMeansSomething() {
        try (ConfigurableApplicationContext context = start(
                "--gateway.http.body-min-rate=0",
                "--gateway.http.body-min-rate-grace=0s",
                "--gateway.edge.trusted-proxies=10.0.0.0/8,,::1")) {
            assertThat(context.getBean(HttpLimitsProperties.class).bodyMinRate())
                    .isZero();
            assertThat(context.getBean(HttpLimitsProperties.class).bodyMinRateGrace())
                    .isZero();
            assertThat(context.getBean(EdgeProperties.class).proxies().isEmpty())
                    .isFalse();
        }
        // k8s/base sets GATEWAY_EDGE_TRUSTEDPROXIES to "": no proxy, not a bad one
        try (ConfigurableApplicationContext context = start("--gateway.edge.trusted-proxies=")) {
            assertThat(context.getBean(EdgeProperties.class).proxies().isEmpty())
                    .isTrue();
        }
    }

    @Test
    void everySettingsRecordIsValidatedAndCoveredHere() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        Set<BeanDefinition> found = scanner.findCandidateComponents(GatewayApplication.class.getPackageName());
        List<String> records =
                found.stream().map(BeanDefinition::getBeanClassName).sorted().toList();

        List<String> covered = Stream.concat(
                        badSettings().map(arguments -> ((Class<?>) arguments.get()[0]).getName()),
                        Stream.of(WorkspaceProperties.class.getName()))
                .distinct()
                .toList();
        assertThat(records)
                .as("every settings record has its bad values above")
                .containsExactlyInAnyOrderElementsOf(covered);
        for (String name : records) {
            assertThat(annotated(name)).as("%s is @Validated", name).isTrue();
        }
    }

    private static boolean annotated(String className) {
        try {
            return Class.forName(className).isAnnotationPresent(Validated.class);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
