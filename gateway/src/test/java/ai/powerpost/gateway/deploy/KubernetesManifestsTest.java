package ai.powerpost.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment manifests under {@code k8s/}, checked without a cluster.
 *
 * <p>Every YAML document under {@code k8s/} is parsed strictly against the Kubernetes object model
 * (fabric8's, Jackson 2): its {@code apiVersion}/{@code kind} must be one this project uses, every
 * field must be one the model knows at that place (fabric8 keeps unknown fields in
 * {@code additionalProperties} maps instead of failing, so every such map in the parsed object
 * graph must be empty), no value may need type coercion, no key may repeat, and the model read
 * back must equal the file. The Prometheus Operator's ServiceMonitor, which fabric8's core model
 * lacks, is checked field by field against the subset of its schema used here. Kustomizations may
 * name only files that exist, and every manifest must be reached from one.
 *
 * <p>Then the properties the gateway relies on: probes on the management port, a locked-down
 * container, the route table mounted as a directory, secrets from a Secret, a shutdown longer
 * than the drain, the management port closed to all but monitoring, and a route table copy that
 * matches the repository's {@code routes.yml}.
 */
class KubernetesManifestsTest {

    private static final Path REPO = repositoryRoot();
    private static final Path K8S = REPO.resolve("k8s");
    private static final Path BASE = K8S.resolve("base");

    private static final int PUBLIC_PORT = 8080;
    private static final int MANAGEMENT_PORT = 8081;
    /** spring.lifecycle.timeout-per-shutdown-phase in application.yml. */
    private static final int DRAIN_SECONDS = 20;

    /** The kinds this project deploys, by {@code apiVersion kind}. Anything else is refused. */
    private static final Map<String, Class<?>> KINDS = Map.of(
            "apps/v1 Deployment", Deployment.class,
            "v1 Service", Service.class,
            "v1 ConfigMap", ConfigMap.class,
            "v1 Secret", Secret.class,
            "v1 Namespace", Namespace.class,
            "v1 ServiceAccount", ServiceAccount.class,
            "autoscaling/v2 HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1 PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class);

    private static final String SERVICE_MONITOR = "monitoring.coreos.com/v1 ServiceMonitor";
    private static final String PROMETHEUS_RULE = "monitoring.coreos.com/v1 PrometheusRule";
    /** The alert rules shipped beside the dashboard: the PrometheusRule's spec must equal them. */
    private static final Path ALERT_RULES = REPO.resolve("docker/prometheus/alerts.yml");

    private static final String KUSTOMIZATION = "kustomize.config.k8s.io/v1beta1 Kustomization";

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    // ---------------------------------------------------------------------------------------
    // Every manifest, strictly

    @Test
    void everyManifestUnderK8sParsesStrictlyAgainstTheKubernetesModel() throws IOException {
        Tree tree = Tree.load(K8S);

        assertThat(tree.violations).isEmpty();
        assertThat(tree.documents)
                .extracting(Doc::type)
                .contains(
                        "apps/v1 Deployment",
                        "v1 Service",
                        "autoscaling/v2 HorizontalPodAutoscaler",
                        "policy/v1 PodDisruptionBudget",
                        "networking.k8s.io/v1 NetworkPolicy",
                        SERVICE_MONITOR,
                        PROMETHEUS_RULE);
    }

    @Test
    void everyKustomizationNamesOnlyFilesThatExistAndReachesEveryManifest() throws IOException {
        Tree tree = Tree.load(K8S);

        assertThat(tree.kustomizations)
                .extracting(k -> K8S.relativize(k).toString().replace('\\', '/'))
                .contains("base/kustomization.yaml", "overlays/production/kustomization.yaml");
        assertThat(tree.layoutViolations).isEmpty();
    }

    @Test
    void aMisspeltTopLevelFieldFails() {
        List<String> violations = check("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: edge-gateway
                spec:
                  replcas: 2
                  selector:
                    matchLabels: {app: x}
                """);

        assertThat(violations).singleElement().asString().contains("replcas");
    }

    @Test
    void aMisspeltFieldDeepInsideFails() {
        List<String> violations = check("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: edge-gateway
                spec:
                  template:
                    spec:
                      containers:
                        - name: gateway
                          image: powerpost/edge-gateway
                          readinesProbe:
                            httpGet: {path: /actuator/health/readiness, port: management}
                """);

        assertThat(violations)
                .singleElement()
                .asString()
                .contains("spec.template.spec.containers[0]")
                .contains("readinesProbe");
    }

    @Test
    void aValueOfTheWrongTypeOrARepeatedKeyFails() {
        assertThat(check("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: edge-gateway}
                spec:
                  template:
                    spec:
                      securityContext:
                        runAsNonRoot: "yes"
                """)).singleElement().asString().contains("runAsNonRoot");
        assertThat(check("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: edge-gateway}
                spec:
                  minReplicas: two
                """)).singleElement().asString().contains("minReplicas");
        assertThat(check("""
                apiVersion: v1
                kind: Service
                metadata: {name: edge-gateway}
                spec:
                  type: ClusterIP
                  type: NodePort
                """)).singleElement().asString().contains("duplicate key type");
    }

    @Test
    void anUnknownKindOrApiVersionFails() {
        assertThat(check("""
                apiVersion: apps/v1
                kind: Deploymnet
                metadata: {name: edge-gateway}
                """)).singleElement().asString().contains("apps/v1 Deploymnet");
        assertThat(check("""
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: edge-gateway}
                """)).singleElement().asString().contains("autoscaling/v1 HorizontalPodAutoscaler");
    }

    @Test
    void aServiceMonitorWithAMisspeltOrMissingFieldFails() {
        assertThat(check("""
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: edge-gateway}
                spec:
                  selector: {matchLabels: {app: x}}
                  endpoints:
                    - port: management
                      path: /actuator/prometheus
                      intreval: 30s
                """)).singleElement().asString().contains("intreval");
        assertThat(check("""
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: edge-gateway, lables: {app: x}}
                spec:
                  selector: {matchLabels: {app: x}}
                  endpoints:
                    - path: /actuator/prometheus
                """))
                .hasSize(2)
                .anySatisfy(v -> assertThat(v).contains("lables"))
                .anySatisfy(v -> assertThat(v).contains("port"));
    }

    @Test
    void aPrometheusRuleWithAMisspeltOrMissingFieldFails() {
        assertThat(check("""
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: edge-gateway}
                spec:
                  groups:
                    - name: edge-gateway
                      rules:
                        - alert: X
                          expr: up == 0
                          fro: 5m
                """)).singleElement().asString().contains("fro");
        assertThat(check("""
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: edge-gateway}
                spec:
                  groups:
                    - rules:
                        - alert: X
                          for: five minutes
                """))
                .hasSize(3)
                .anySatisfy(v -> assertThat(v).contains("name"))
                .anySatisfy(v -> assertThat(v).contains("expr"))
                .anySatisfy(v -> assertThat(v).contains("five minutes"));
    }

    @Test
    void aKustomizationNamingAMissingFileOrAnUnknownFieldFails(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - deployment.yaml
                commonLables:
                  app: x
                configMapGenerator:
                  - name: routes
                    files: [routes.yml]
                """);

        Tree tree = Tree.load(dir);

        assertThat(tree.layoutViolations)
                .hasSize(3)
                .anySatisfy(v -> assertThat(v).contains("deployment.yaml").contains("does not exist"))
                .anySatisfy(v -> assertThat(v).contains("routes.yml").contains("does not exist"))
                .anySatisfy(v -> assertThat(v).contains("commonLables"));
    }

    @Test
    void aManifestNoKustomizationReachesFails(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: []
                """);
        Files.writeString(dir.resolve("forgotten.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: forgotten}
                """);

        Tree tree = Tree.load(dir);

        assertThat(tree.violations).isEmpty();
        assertThat(tree.layoutViolations)
                .singleElement()
                .asString()
                .contains("forgotten.yaml")
                .contains("no kustomization");
    }

    // ---------------------------------------------------------------------------------------
    // What the gateway relies on

    @Test
    void probesUseTheManagementPortAndTheHealthGroups() throws IOException {
        Container gateway = gatewayContainer();
        int management = containerPort(gateway, "management");
        assertThat(management).isEqualTo(MANAGEMENT_PORT);

        assertThat(probe(gateway.getStartupProbe(), gateway)).isEqualTo(":8081/actuator/health/liveness");
        assertThat(probe(gateway.getLivenessProbe(), gateway)).isEqualTo(":8081/actuator/health/liveness");
        assertThat(probe(gateway.getReadinessProbe(), gateway)).isEqualTo(":8081/actuator/health/readiness");
        assertThat(containerPort(gateway, "http")).isEqualTo(PUBLIC_PORT);
    }

    @Test
    void theContainerRunsLockedDown() throws IOException {
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        Container gateway = gatewayContainer();
        PodSecurityContext podContext = pod.getSecurityContext();
        SecurityContext context = gateway.getSecurityContext();

        assertThat(podContext.getRunAsNonRoot()).isTrue();
        assertThat(podContext.getRunAsUser()).isEqualTo(10001L);
        assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(context.getRunAsNonRoot()).isTrue();
        assertThat(context.getRunAsUser()).isEqualTo(10001L);
        assertThat(context.getReadOnlyRootFilesystem()).isTrue();
        assertThat(context.getAllowPrivilegeEscalation()).isFalse();
        assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();

        // The root filesystem is read-only: /tmp must be a writable volume.
        VolumeMount tmp = mount(gateway, "/tmp");
        assertThat(volume(pod, tmp.getName()).getEmptyDir()).isNotNull();
        assertThat(tmp.getReadOnly()).isNotEqualTo(Boolean.TRUE);

        assertThat(gateway.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(gateway.getResources().getLimits()).containsKeys("memory");
    }

    @Test
    void theRouteTableIsAConfigMapMountedAsADirectory() throws IOException {
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        Container gateway = gatewayContainer();
        String routesFile = env(gateway, "GATEWAY_ROUTES_FILE").getValue();

        VolumeMount routes = gateway.getVolumeMounts().stream()
                .filter(m -> routesFile.startsWith(m.getMountPath() + "/"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + routesFile));
        // subPath mounts never see a ConfigMap update: the kubelet's symlink swap cannot reach them.
        assertThat(routes.getSubPath()).as("subPath of the routes mount").isNull();
        assertThat(routes.getSubPathExpr())
                .as("subPathExpr of the routes mount")
                .isNull();
        assertThat(routes.getReadOnly()).isTrue();

        ConfigMapFiles generated = routesConfigMap();
        assertThat(volume(pod, routes.getName()).getConfigMap().getName()).isEqualTo(generated.name());
        assertThat(routesFile).isEqualTo(routes.getMountPath() + "/" + generated.key());
        // A hashed name would make every change a new ConfigMap and a rollout: the running pods'
        // file would never change, and the gateway's hot reload would never be used.
        assertThat(generated.inPlace())
                .as("the routes ConfigMap is updated in place (disableNameSuffixHash)")
                .isTrue();
    }

    @Test
    void theRouteTableCopyMatchesTheRepositoryRoutesFile() throws IOException {
        // kustomize reads no file outside the kustomization's directory, hence the copy.
        assertThat(Files.readString(BASE.resolve("routes.yml")))
                .as("k8s/base/routes.yml differs from routes.yml: cp routes.yml k8s/base/routes.yml")
                .isEqualTo(Files.readString(REPO.resolve("routes.yml")));
    }

    @Test
    void secretsComeFromASecret() throws IOException {
        Container gateway = gatewayContainer();

        for (String name : List.of("SPRING_DATA_REDIS_URL", "GATEWAY_ADMIN_TOKEN")) {
            EnvVar var = env(gateway, name);
            assertThat(var.getValue()).as(name + " in plain text").isNull();
            assertThat(var.getValueFrom().getSecretKeyRef())
                    .as(name + " from a Secret")
                    .isNotNull();
            assertThat(var.getValueFrom().getSecretKeyRef().getName()).isNotBlank();
        }
    }

    @Test
    void keyTagSecretsAreAMountedSecretReadThroughConfigtree() throws IOException {
        Container gateway = gatewayContainer();
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        String imported = env(gateway, "SPRING_CONFIG_IMPORT").getValue();

        assertThat(imported).startsWith("configtree:").endsWith("/");
        VolumeMount secrets = mount(gateway, imported.substring("configtree:".length(), imported.length() - 1));
        assertThat(secrets.getReadOnly()).isTrue();
        assertThat(volume(pod, secrets.getName()).getSecret().getSecretName()).isNotBlank();
    }

    @Test
    void shutdownOutlastsTheEndpointRemovalAndTheDrain() throws IOException {
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        List<String> preStop =
                gatewayContainer().getLifecycle().getPreStop().getExec().getCommand();

        assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
        int sleep = Integer.parseInt(preStop.get(1));
        assertThat(sleep).isPositive();
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan((long) sleep + DRAIN_SECONDS);
    }

    @Test
    void theManagementPortAdmitsOnlyTheMonitoringNamespaceInEveryNetworkPolicy() throws IOException {
        List<Doc> policies = Tree.load(K8S).documents.stream()
                .filter(d -> d.model() instanceof NetworkPolicy)
                .toList();
        assertThat(policies)
                .extracting(d -> K8S.relativize(d.file()).toString().replace('\\', '/'))
                .contains("base/networkpolicy.yaml");

        for (Doc doc : policies) {
            List<NetworkPolicyIngressRule> rules =
                    ((NetworkPolicy) doc.model()).getSpec().getIngress();
            assertThat(rules).as(doc.file() + " ingress").isNotEmpty();
            boolean managementAdmitted = false;
            for (NetworkPolicyIngressRule rule : rules) {
                if (!admits(rule, MANAGEMENT_PORT, "management")) {
                    continue;
                }
                managementAdmitted = true;
                // A rule without ports admits every port, 8081 too: it must be as narrow.
                assertThat(rule.getFrom())
                        .as(doc.file() + ": a rule admitting 8081 names its peers")
                        .isNotEmpty();
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertThat(peer.getIpBlock()).as("ipBlock peer for 8081").isNull();
                    assertThat(peer.getNamespaceSelector())
                            .as("namespaceSelector for 8081")
                            .isNotNull();
                    assertThat(peer.getNamespaceSelector().getMatchLabels())
                            .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"));
                    assertThat(peer.getNamespaceSelector().getMatchExpressions())
                            .isNullOrEmpty();
                }
            }
            assertThat(managementAdmitted)
                    .as(doc.file() + ": Prometheus must reach 8081")
                    .isTrue();
        }

        NetworkPolicy base = (NetworkPolicy) Tree.load(BASE).single("networking.k8s.io/v1 NetworkPolicy");
        assertThat(base.getSpec().getPolicyTypes()).contains("Ingress");
        assertThat(base.getSpec().getPodSelector().getMatchLabels()).isEqualTo(podLabels());
        assertThat(base.getSpec().getIngress()).anySatisfy(rule -> {
            assertThat(admits(rule, PUBLIC_PORT, "http")).isTrue();
            assertThat(rule.getFrom()).as("the public port is open").isNullOrEmpty();
        });
    }

    @Test
    void servicesAutoscalerBudgetAndMonitorAllFindTheGatewayPods() throws IOException {
        Tree base = Tree.load(BASE);
        Map<String, String> pods = podLabels();

        Service publicService = service(base, "edge-gateway");
        assertThat(pods).containsAllEntriesOf(publicService.getSpec().getSelector());
        assertThat(publicService.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(80);
            assertThat(resolve(port.getTargetPort(), gatewayContainer())).isEqualTo(PUBLIC_PORT);
        });

        Service management = service(base, "edge-gateway-management");
        assertThat(pods).containsAllEntriesOf(management.getSpec().getSelector());
        ServicePort scraped = management.getSpec().getPorts().get(0);
        assertThat(resolve(scraped.getTargetPort(), gatewayContainer())).isEqualTo(MANAGEMENT_PORT);

        @SuppressWarnings("unchecked")
        Map<String, Object> monitor = (Map<String, Object>) base.single(SERVICE_MONITOR);
        Map<String, Object> spec = map(monitor.get("spec"));
        LabelSelector selector = STRICT.convertValue(spec.get("selector"), LabelSelector.class);
        assertThat(management.getMetadata().getLabels()).containsAllEntriesOf(selector.getMatchLabels());
        assertThat(publicService.getMetadata().getLabels())
                .as("the ServiceMonitor must not select the public Service")
                .doesNotContainEntry("app.kubernetes.io/component", "management");
        assertThat(list(spec.get("endpoints"))).singleElement().satisfies(endpoint -> {
            assertThat(map(endpoint))
                    .containsEntry("port", scraped.getName())
                    .containsEntry("path", "/actuator/prometheus");
        });

        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) base.single("autoscaling/v2 HorizontalPodAutoscaler");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName())
                .isEqualTo(deployment().getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(hpa.getSpec().getMetrics())
                .anySatisfy(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
        // The autoscaler owns the replica count: a replicas field would reset it on every apply.
        assertThat(deployment().getSpec().getReplicas()).isNull();

        PodDisruptionBudget pdb = (PodDisruptionBudget) base.single("policy/v1 PodDisruptionBudget");
        assertThat(pods).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(deployment().getSpec().getSelector().getMatchLabels()).isEqualTo(pods);
    }

    /**
     * The PrometheusRule carries exactly the rules shipped beside the dashboard (compared as
     * parsed YAML, so comments and indentation may differ, rules may not), and its selector-free
     * metadata labels match the ServiceMonitor's, so one Prometheus selects both.
     */
    @Test
    void thePrometheusRuleIsTheAlertRulesShippedBesideTheDashboard() throws IOException {
        Tree base = Tree.load(BASE);
        Map<String, Object> rule = map(base.single(PROMETHEUS_RULE));
        Map<String, Object> monitor = map(base.single(SERVICE_MONITOR));

        assertThat(rule.get("spec"))
                .as("k8s/base/prometheusrule.yaml spec differs from docker/prometheus/alerts.yml: "
                        + "regenerate it with the command in its header comment")
                .isEqualTo(yaml(Files.readString(ALERT_RULES)).get(0));
        assertThat(map(map(rule.get("metadata")).get("labels")))
                .isEqualTo(map(map(monitor.get("metadata")).get("labels")));
    }

    // ---------------------------------------------------------------------------------------
    // The base's objects

    private static Deployment deployment() throws IOException {
        return (Deployment) Tree.load(BASE).single("apps/v1 Deployment");
    }

    private static Container gatewayContainer() throws IOException {
        return deployment().getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("gateway"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container named gateway"));
    }

    /** The pod template's labels that the Deployment's selector uses. */
    private static Map<String, String> podLabels() throws IOException {
        Deployment deployment = deployment();
        Set<String> selected =
                deployment.getSpec().getSelector().getMatchLabels().keySet();
        Map<String, String> labels = new LinkedHashMap<>(
                deployment.getSpec().getTemplate().getMetadata().getLabels());
        labels.keySet().retainAll(selected);
        return labels;
    }

    private static Service service(Tree tree, String name) {
        return tree.documents.stream()
                .map(Doc::model)
                .filter(m -> m instanceof Service s && s.getMetadata().getName().equals(name))
                .map(Service.class::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Service " + name));
    }

    private record ConfigMapFiles(String name, String key, boolean inPlace) {}

    /** The base kustomization's generated routes ConfigMap: its name and the key routes.yml lands under. */
    private static ConfigMapFiles routesConfigMap() throws IOException {
        Map<String, Object> kustomization =
                map(readYaml(BASE.resolve("kustomization.yaml")).get(0));
        for (Object generator : list(kustomization.get("configMapGenerator"))) {
            for (Object file : list(map(generator).get("files"))) {
                String entry = (String) file;
                String key = entry.contains("=")
                        ? entry.substring(0, entry.indexOf('='))
                        : Path.of(entry).getFileName().toString();
                String path = entry.contains("=") ? entry.substring(entry.indexOf('=') + 1) : entry;
                if (path.equals("routes.yml")) {
                    boolean inPlace = Boolean.TRUE.equals(
                                    map(kustomization.get("generatorOptions")).get("disableNameSuffixHash"))
                            || Boolean.TRUE.equals(
                                    map(map(generator).get("options")).get("disableNameSuffixHash"));
                    return new ConfigMapFiles((String) map(generator).get("name"), key, inPlace);
                }
            }
        }
        throw new AssertionError("no configMapGenerator takes routes.yml in k8s/base/kustomization.yaml");
    }

    private static String probe(Probe probe, Container container) {
        assertThat(probe).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("an HTTP probe").isNotNull();
        return ":" + resolve(get.getPort(), container) + get.getPath();
    }

    private static int containerPort(Container container, String name) {
        return container.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static int resolve(IntOrString port, Container container) {
        return port.getIntVal() != null ? port.getIntVal() : containerPort(container, port.getStrVal());
    }

    private static boolean admits(NetworkPolicyIngressRule rule, int number, String name) {
        if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort port : rule.getPorts()) {
            IntOrString value = port.getPort();
            if (value == null
                    || Integer.valueOf(number).equals(value.getIntVal())
                    || name.equals(value.getStrVal())
                    || (value.getIntVal() != null
                            && port.getEndPort() != null
                            && value.getIntVal() <= number
                            && number <= port.getEndPort())) {
                return true;
            }
        }
        return false;
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private static VolumeMount mount(Container container, String path) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    // ---------------------------------------------------------------------------------------
    // The strict reader

    /** One YAML document of a file: its {@code apiVersion kind}, and the model object (or, for a ServiceMonitor, the map). */
    record Doc(Path file, int index, String type, Object model) {}

    /** All the YAML under a directory: documents, kustomizations and every rule broken. */
    static final class Tree {

        final List<Doc> documents = new ArrayList<>();
        final List<Path> kustomizations = new ArrayList<>();
        /** Manifests that do not parse strictly. */
        final List<String> violations = new ArrayList<>();
        /** Kustomizations naming what does not exist, or unknown fields; manifests no kustomization reaches. */
        final List<String> layoutViolations = new ArrayList<>();

        static Tree load(Path root) throws IOException {
            assertThat(root).as("directory " + root).isDirectory();
            Tree tree = new Tree();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(p ->
                                p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                        .sorted()
                        .toList();
            }
            Set<Path> referenced = new LinkedHashSet<>();
            Set<Path> dataFiles = new LinkedHashSet<>();
            for (Path file : files) {
                if (isKustomization(file)) {
                    tree.kustomizations.add(file);
                    tree.checkKustomization(file, referenced, dataFiles);
                }
            }
            for (Path file : files) {
                if (isKustomization(file) || dataFiles.contains(file.normalize())) {
                    continue;
                }
                tree.readManifests(file);
                if (!referenced.contains(file.normalize())) {
                    tree.layoutViolations.add(display(file) + ": no kustomization lists it as a resource or patch");
                }
            }
            return tree;
        }

        Object single(String type) {
            List<Object> found = documents.stream()
                    .filter(d -> d.type().equals(type))
                    .map(Doc::model)
                    .toList();
            assertThat(found).as("documents of " + type).hasSize(1);
            return found.get(0);
        }

        private static boolean isKustomization(Path file) {
            String name = file.getFileName().toString();
            return name.equals("kustomization.yaml") || name.equals("kustomization.yml");
        }

        private void readManifests(Path file) throws IOException {
            List<Object> docs;
            try {
                docs = readYaml(file);
            } catch (RuntimeException e) {
                violations.add(display(file) + ": not YAML: " + e.getMessage());
                return;
            }
            for (int i = 0; i < docs.size(); i++) {
                String where = display(file) + (docs.size() > 1 ? " (document " + (i + 1) + ")" : "");
                Parsed parsed = parse(docs.get(i), where);
                violations.addAll(parsed.violations());
                if (parsed.model() != null) {
                    documents.add(new Doc(file, i, parsed.type(), parsed.model()));
                }
            }
        }

        private static final Set<String> KUSTOMIZATION_FIELDS = Set.of(
                "apiVersion",
                "kind",
                "namespace",
                "namePrefix",
                "nameSuffix",
                "resources",
                "components",
                "patches",
                "configMapGenerator",
                "secretGenerator",
                "generatorOptions",
                "images",
                "labels",
                "commonAnnotations",
                "replicas");
        private static final Set<String> PATCH_FIELDS = Set.of("path", "patch", "target", "options");
        private static final Set<String> GENERATOR_FIELDS =
                Set.of("name", "namespace", "behavior", "files", "literals", "envs", "options", "type");
        private static final Set<String> GENERATOR_OPTION_FIELDS =
                Set.of("disableNameSuffixHash", "immutable", "labels", "annotations");
        private static final Set<String> IMAGE_FIELDS = Set.of("name", "newName", "newTag", "digest");
        private static final Set<String> LABEL_FIELDS =
                Set.of("pairs", "includeSelectors", "includeTemplates", "fields");

        private void checkKustomization(Path file, Set<Path> referenced, Set<Path> dataFiles) throws IOException {
            Path dir = file.getParent();
            List<Object> docs = readYaml(file);
            if (docs.size() != 1 || !(docs.get(0) instanceof Map<?, ?>)) {
                layoutViolations.add(display(file) + ": one YAML mapping expected");
                return;
            }
            Map<String, Object> k = map(docs.get(0));
            if (!KUSTOMIZATION.equals(k.get("apiVersion") + " " + k.get("kind"))) {
                layoutViolations.add(display(file) + ": apiVersion/kind must be " + KUSTOMIZATION);
            }
            unknownFields(k, KUSTOMIZATION_FIELDS, display(file));
            for (Object resource : list(k.get("resources"))) {
                Path target = dir.resolve((String) resource).normalize();
                if (Files.isDirectory(target)) {
                    if (!Files.exists(target.resolve("kustomization.yaml"))
                            && !Files.exists(target.resolve("kustomization.yml"))) {
                        layoutViolations.add(
                                display(file) + ": resource " + resource + " is a directory without a kustomization");
                    }
                } else if (Files.isRegularFile(target)) {
                    referenced.add(target);
                } else {
                    layoutViolations.add(display(file) + ": resource " + resource + " does not exist");
                }
            }
            for (Object patch : list(k.get("patches"))) {
                Map<String, Object> p = map(patch);
                unknownFields(p, PATCH_FIELDS, display(file) + " patches[]");
                if (p.get("path") instanceof String path) {
                    Path target = dir.resolve(path).normalize();
                    if (Files.isRegularFile(target)) {
                        referenced.add(target);
                    } else {
                        layoutViolations.add(display(file) + ": patch " + path + " does not exist");
                    }
                }
            }
            for (String generators : List.of("configMapGenerator", "secretGenerator")) {
                for (Object generator : list(k.get(generators))) {
                    Map<String, Object> g = map(generator);
                    unknownFields(g, GENERATOR_FIELDS, display(file) + " " + generators + "[]");
                    unknownFields(
                            map(g.get("options")),
                            GENERATOR_OPTION_FIELDS,
                            display(file) + " " + generators + "[].options");
                    for (String field : List.of("files", "envs")) {
                        for (Object entry : list(g.get(field))) {
                            String path = (String) entry;
                            path = path.contains("=") ? path.substring(path.indexOf('=') + 1) : path;
                            Path target = dir.resolve(path).normalize();
                            if (Files.isRegularFile(target)) {
                                dataFiles.add(target);
                            } else {
                                layoutViolations.add(
                                        display(file) + ": " + generators + " file " + path + " does not exist");
                            }
                        }
                    }
                }
            }
            unknownFields(map(k.get("generatorOptions")), GENERATOR_OPTION_FIELDS, display(file) + " generatorOptions");
            for (Object image : list(k.get("images"))) {
                unknownFields(map(image), IMAGE_FIELDS, display(file) + " images[]");
            }
            for (Object label : list(k.get("labels"))) {
                unknownFields(map(label), LABEL_FIELDS, display(file) + " labels[]");
            }
        }

        private void unknownFields(Map<String, Object> object, Set<String> known, String where) {
            for (String field : object.keySet()) {
                if (!known.contains(field)) {
                    layoutViolations.add(where + ": unknown field " + field);
                }
            }
        }
    }

    record Parsed(String type, Object model, List<String> violations) {}

    /** Strictly parses one document; {@code model} is null where it could not be parsed at all. */
    static Parsed parse(Object document, String where) {
        if (!(document instanceof Map<?, ?>)) {
            return new Parsed(null, null, List.of(where + ": a Kubernetes object (a YAML mapping) expected"));
        }
        Map<String, Object> raw = map(document);
        String type = raw.get("apiVersion") + " " + raw.get("kind");
        if (type.equals(SERVICE_MONITOR)) {
            List<String> violations = new ArrayList<>();
            checkServiceMonitor(raw, where, violations);
            return new Parsed(type, raw, violations);
        }
        if (type.equals(PROMETHEUS_RULE)) {
            List<String> violations = new ArrayList<>();
            checkPrometheusRule(raw, where, violations);
            return new Parsed(type, raw, violations);
        }
        Class<?> modelClass = KINDS.get(type);
        if (modelClass == null) {
            return new Parsed(
                    type,
                    null,
                    List.of(where + ": unknown apiVersion/kind \"" + type + "\" (known: "
                            + new java.util.TreeSet<>(KINDS.keySet()) + ", " + SERVICE_MONITOR + ", "
                            + PROMETHEUS_RULE + ")"));
        }
        Object model;
        try {
            model = STRICT.convertValue(raw, modelClass);
        } catch (IllegalArgumentException e) {
            return new Parsed(type, null, List.of(where + ": " + e.getMessage()));
        }
        List<String> violations = new ArrayList<>();
        unknownFields(model, "", violations, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (violations.isEmpty()) {
            // A second net under the first: a field the model dropped without a trace, or changed.
            String difference = difference(STRICT.valueToTree(raw), STRICT.valueToTree(model), "");
            if (difference != null) {
                violations.add("the model does not read back as written: " + difference);
            }
        }
        return new Parsed(
                type, model, violations.stream().map(v -> where + ": " + v).toList());
    }

    /** Where two trees differ (numbers compared by value: 10001 equals 10001L), or null. */
    private static String difference(JsonNode written, JsonNode read, String path) {
        String at = path.isEmpty() ? "the top level" : path.substring(1);
        if (written.isNumber() && read.isNumber()) {
            return written.decimalValue().compareTo(read.decimalValue()) == 0
                    ? null
                    : at + ": written " + written + ", read " + read;
        }
        if (written.isObject() && read.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            written.fieldNames().forEachRemaining(names::add);
            read.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!written.has(name) || !read.has(name)) {
                    return path.substring(path.isEmpty() ? 0 : 1)
                            + (path.isEmpty() ? "" : ".")
                            + name
                            + (written.has(name) ? ": written, not read" : ": read, not written");
                }
                String inner = difference(written.get(name), read.get(name), path + "." + name);
                if (inner != null) {
                    return inner;
                }
            }
            return null;
        }
        if (written.isArray() && read.isArray() && written.size() == read.size()) {
            for (int i = 0; i < written.size(); i++) {
                String inner = difference(written.get(i), read.get(i), path + "[" + i + "]");
                if (inner != null) {
                    return inner;
                }
            }
            return null;
        }
        return written.equals(read) ? null : at + ": written " + written + ", read " + read;
    }

    /**
     * Collects every non-empty {@code additionalProperties} in a fabric8 object graph: where the
     * model put the fields it did not know.
     */
    private static void unknownFields(Object value, String path, List<String> found, Set<Object> seen) {
        if (value == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> unknownFields(item, path + "." + key, found, seen));
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.") || !seen.add(value)) {
            return;
        }
        for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Object fieldValue;
                try {
                    field.setAccessible(true);
                    fieldValue = field.get(value);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new AssertionError("cannot read " + type.getName() + "." + field.getName(), e);
                }
                if (field.getName().equals("additionalProperties")) {
                    if (fieldValue instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        found.add("unknown field(s) " + extra.keySet() + " at "
                                + (path.isEmpty() ? "the top level" : path.substring(1)));
                    }
                    continue;
                }
                JsonProperty json = field.getAnnotation(JsonProperty.class);
                String name = json != null && !json.value().isEmpty() ? json.value() : field.getName();
                unknownFields(fieldValue, path + "." + name, found, seen);
            }
        }
    }

    // ServiceMonitor (monitoring.coreos.com/v1): the fields of its CRD schema this project may use.
    private static final Set<String> MONITOR_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec");
    private static final Set<String> MONITOR_SPEC_FIELDS = Set.of(
            "selector",
            "namespaceSelector",
            "endpoints",
            "jobLabel",
            "targetLabels",
            "podTargetLabels",
            "sampleLimit",
            "scrapeProtocols");
    private static final Set<String> MONITOR_ENDPOINT_FIELDS = Set.of(
            "port",
            "targetPort",
            "path",
            "scheme",
            "interval",
            "scrapeTimeout",
            "honorLabels",
            "honorTimestamps",
            "params",
            "relabelings",
            "metricRelabelings",
            "followRedirects",
            "enableHttp2",
            "filterRunning");
    private static final Set<String> MONITOR_NAMESPACE_SELECTOR_FIELDS = Set.of("any", "matchNames");
    private static final Pattern DURATION = Pattern.compile(
            "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$");

    private static void checkServiceMonitor(Map<String, Object> raw, String where, List<String> violations) {
        fields(raw, MONITOR_FIELDS, where, "", violations);
        strictModel(raw.get("metadata"), ObjectMeta.class, where, "metadata", violations);
        if (!(raw.get("spec") instanceof Map<?, ?>)) {
            violations.add(where + ": spec: a mapping expected");
            return;
        }
        Map<String, Object> spec = map(raw.get("spec"));
        fields(spec, MONITOR_SPEC_FIELDS, where, "spec.", violations);
        if (spec.get("selector") == null) {
            violations.add(where + ": spec.selector is required");
        } else {
            strictModel(spec.get("selector"), LabelSelector.class, where, "spec.selector", violations);
        }
        if (spec.get("namespaceSelector") != null) {
            fields(
                    map(spec.get("namespaceSelector")),
                    MONITOR_NAMESPACE_SELECTOR_FIELDS,
                    where,
                    "spec.namespaceSelector.",
                    violations);
        }
        List<Object> endpoints = list(spec.get("endpoints"));
        if (endpoints.isEmpty()) {
            violations.add(where + ": spec.endpoints must name at least one endpoint");
        }
        for (int i = 0; i < endpoints.size(); i++) {
            String at = "spec.endpoints[" + i + "].";
            if (!(endpoints.get(i) instanceof Map<?, ?>)) {
                violations.add(where + ": " + at + " a mapping expected");
                continue;
            }
            Map<String, Object> endpoint = map(endpoints.get(i));
            fields(endpoint, MONITOR_ENDPOINT_FIELDS, where, at, violations);
            if (!(endpoint.get("port") instanceof String port) || port.isBlank()) {
                violations.add(where + ": " + at + "port (the Service port's name) is required");
            }
            if (!(endpoint.get("path") instanceof String path) || !path.startsWith("/")) {
                violations.add(where + ": " + at + "path must be an absolute path");
            }
            for (String duration : List.of("interval", "scrapeTimeout")) {
                Object value = endpoint.get(duration);
                if (value != null
                        && !(value instanceof String s && DURATION.matcher(s).matches())) {
                    violations.add(where + ": " + at + duration + " is not a Prometheus duration: " + value);
                }
            }
        }
    }

    // PrometheusRule (monitoring.coreos.com/v1): the fields of its CRD schema this project may use.
    private static final Set<String> RULE_SPEC_FIELDS = Set.of("groups");
    private static final Set<String> RULE_GROUP_FIELDS =
            Set.of("name", "interval", "rules", "limit", "partial_response_strategy", "query_offset");
    private static final Set<String> RULE_FIELDS =
            Set.of("alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations");

    private static void checkPrometheusRule(Map<String, Object> raw, String where, List<String> violations) {
        fields(raw, MONITOR_FIELDS, where, "", violations);
        strictModel(raw.get("metadata"), ObjectMeta.class, where, "metadata", violations);
        if (!(raw.get("spec") instanceof Map<?, ?>)) {
            violations.add(where + ": spec: a mapping expected");
            return;
        }
        Map<String, Object> spec = map(raw.get("spec"));
        fields(spec, RULE_SPEC_FIELDS, where, "spec.", violations);
        List<Object> groups = list(spec.get("groups"));
        if (groups.isEmpty()) {
            violations.add(where + ": spec.groups must name at least one group");
        }
        for (int g = 0; g < groups.size(); g++) {
            String at = "spec.groups[" + g + "].";
            Map<String, Object> group = map(groups.get(g));
            fields(group, RULE_GROUP_FIELDS, where, at, violations);
            if (!(group.get("name") instanceof String name) || name.isBlank()) {
                violations.add(where + ": " + at + "name is required");
            }
            List<Object> rules = list(group.get("rules"));
            for (int r = 0; r < rules.size(); r++) {
                String ruleAt = at + "rules[" + r + "].";
                Map<String, Object> rule = map(rules.get(r));
                fields(rule, RULE_FIELDS, where, ruleAt, violations);
                if ((rule.get("alert") == null) == (rule.get("record") == null)) {
                    violations.add(where + ": " + ruleAt + "exactly one of alert or record is required");
                }
                if (!(rule.get("expr") instanceof String expr) || expr.isBlank()) {
                    violations.add(where + ": " + ruleAt + "expr is required");
                }
                for (String duration : List.of("for", "keep_firing_for")) {
                    Object value = rule.get(duration);
                    if (value != null
                            && !(value instanceof String s
                                    && DURATION.matcher(s).matches())) {
                        violations.add(where + ": " + ruleAt + duration + " is not a Prometheus duration: " + value);
                    }
                }
                for (String strings : List.of("labels", "annotations")) {
                    map(rule.get(strings)).forEach((key, value) -> {
                        if (!(value instanceof String)) {
                            violations.add(where + ": " + ruleAt + strings + "." + key + " must be a string");
                        }
                    });
                }
            }
        }
    }

    private static void fields(
            Map<String, Object> object, Set<String> known, String where, String at, List<String> violations) {
        for (String field : object.keySet()) {
            if (!known.contains(field)) {
                violations.add(where + ": unknown field " + at + field);
            }
        }
    }

    private static void strictModel(Object value, Class<?> type, String where, String at, List<String> violations) {
        try {
            Object model = STRICT.convertValue(value, type);
            List<String> unknown = new ArrayList<>();
            unknownFields(model, "", unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
            unknown.forEach(u -> violations.add(where + ": " + at + ": " + u));
        } catch (IllegalArgumentException e) {
            violations.add(where + ": " + at + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------
    // YAML

    /** Parses YAML text (one or more documents) and returns every rule it breaks. */
    private static List<String> check(String yaml) {
        List<String> violations = new ArrayList<>();
        List<Object> docs;
        try {
            docs = yaml(yaml);
        } catch (RuntimeException e) {
            return List.of("inline: " + e.getMessage());
        }
        for (Object doc : docs) {
            violations.addAll(parse(doc, "inline").violations());
        }
        return violations;
    }

    private static List<Object> readYaml(Path file) throws IOException {
        return yaml(Files.readString(file));
    }

    /** SnakeYAML, safe types only, a repeated key is an error; empty documents are dropped. */
    private static List<Object> yaml(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<Object> docs = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(options)).loadAll(text)) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** A file as the messages name it: relative to the repository root where it is inside it. */
    private static String display(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return (absolute.startsWith(REPO) ? REPO.relativize(absolute) : absolute)
                .toString()
                .replace('\\', '/');
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
