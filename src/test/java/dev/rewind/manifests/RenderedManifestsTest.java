package dev.rewind.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@code kubectl kustomize} makes of the two overlays, loaded by fabric8 as the API server would
 * read them: the shapes a safe deployment needs (replicas, disruption budget, probes, scraping,
 * network policy, a persistent H2 for the single replica) and no Secret at all. Needs kubectl on the
 * PATH; .ci/run installs Debian's kubernetes-client when it is missing.
 */
class RenderedManifestsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @BeforeAll
    static void kubectlIsThere() {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
        assumeTrue(found, "kubectl is not on the PATH, so the overlays cannot be rendered here; "
                + ".ci/run installs Debian's kubernetes-client package for this test");
    }

    static List<HasMetadata> render(String overlay) throws IOException, InterruptedException {
        return renderDirectory("manifests/overlays/" + overlay);
    }

    static List<HasMetadata> renderDirectory(String directory) throws IOException, InterruptedException {
        String overlay = directory;
        Path errors = Files.createTempFile("kustomize", ".err");
        try {
            Process kubectl = new ProcessBuilder("kubectl", "kustomize", directory)
                    .redirectError(errors.toFile()).start();
            String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finishes").isTrue();
            assertThat(kubectl.exitValue()).as("kubectl kustomize %s: %s", overlay,
                    Files.readString(errors)).isZero();
            Object parsed = SERIALIZATION.unmarshal(yaml);
            List<HasMetadata> objects = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                list.forEach(o -> objects.add((HasMetadata) o));
            } else {
                objects.add((HasMetadata) parsed);
            }
            return objects;
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    static <T> List<T> all(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    static GenericKubernetesResource only(List<HasMetadata> objects, String kind) {
        List<GenericKubernetesResource> found = all(objects, GenericKubernetesResource.class).stream()
                .filter(o -> o.getKind().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void haRunsTwoReplicasOnPostgresqlThroughDrainsAndRollouts() throws Exception {
        List<HasMetadata> ha = render("ha");
        Deployment deployment = ManifestsTest.only(ha, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        var labels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        PodDisruptionBudget budget = ManifestsTest.only(ha, PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(labels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());

        var spread = deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
        assertThat(spread).extracting(c -> c.getTopologyKey()).contains("kubernetes.io/hostname");
        assertThat(spread).allSatisfy(c -> assertThat(labels).containsAllEntriesOf(c.getLabelSelector().getMatchLabels()));

        var url = env(container(deployment), "DATABASE_URL");
        assertThat(url.getValue()).as("never written into the manifest").isNull();
        assertThat(url.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rewind-secrets");
        assertThat(url.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("DATABASE_URL");
        assertThat(container(deployment).getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("rewind-secrets");
    }

    @Test
    void singleRunsOneReplicaOnH2KeptOnAPersistentVolume() throws Exception {
        List<HasMetadata> single = render("single");
        Deployment deployment = ManifestsTest.only(single, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).as("never two pods on one H2 file").isEqualTo("Recreate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(all(single, PodDisruptionBudget.class)).as("one replica with minAvailable 1 blocks node drains").isEmpty();

        var url = env(container(deployment), "DATABASE_URL");
        assertThat(url.getValueFrom()).isNull();
        assertThat(url.getValue()).isEqualTo("jdbc:h2:file:/var/lib/rewind/rewind");
        var mount = container(deployment).getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/var/lib/rewind")).findFirst().orElseThrow();
        Volume data = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(data.getEmptyDir()).isNull();
        PersistentVolumeClaim claim = ManifestsTest.only(single, PersistentVolumeClaim.class);
        assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    }

    @Test
    void bothOverlaysProbeStartupReadinessAndLivenessAndAreScraped() throws Exception {
        for (String overlay : List.of("single", "ha")) {
            List<HasMetadata> objects = render(overlay);
            Deployment deployment = ManifestsTest.only(objects, Deployment.class);
            Container container = container(deployment);
            assertThat(container.getStartupProbe().getHttpGet().getPath()).as(overlay).isEqualTo("/healthz");
            assertThat(container.getStartupProbe().getFailureThreshold() * container.getStartupProbe().getPeriodSeconds())
                    .as("%s: a slow start has a minute or more before liveness counts", overlay).isGreaterThanOrEqualTo(60);
            assertThat(container.getReadinessProbe().getHttpGet().getPath()).as(overlay).isEqualTo("/readyz");
            assertThat(container.getLivenessProbe().getHttpGet().getPath()).as(overlay).isEqualTo("/healthz");

            int port = container.getPorts().get(0).getContainerPort();
            Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
            assertThat(annotations).as(overlay).containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", Integer.toString(port)).containsEntry("prometheus.io/path", "/metrics");

            Service service = ManifestsTest.only(objects, Service.class);
            GenericKubernetesResource monitor = only(objects, "ServiceMonitor");
            assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
            Map<String, Object> selector = monitor.get("spec", "selector", "matchLabels");
            assertThat(service.getMetadata().getLabels()).as("%s: the ServiceMonitor finds the Service", overlay)
                    .containsAllEntriesOf(strings(selector));
            List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
            assertThat(endpoints).extracting(e -> e.get("port")).containsExactly(service.getSpec().getPorts().get(0).getName());
            assertThat(endpoints).extracting(e -> e.get("path")).containsExactly("/metrics");
            assertThat(container.getImage()).doesNotEndWith(":latest");
        }
    }

    @Test
    void networkPolicyLetsInOnlyTheIngressControllerAndPrometheusAndLetsRewindReachWhatItCalls() throws Exception {
        for (String overlay : List.of("single", "ha")) {
            List<HasMetadata> objects = render(overlay);
            NetworkPolicy policy = ManifestsTest.only(objects, NetworkPolicy.class);
            var podLabels = ManifestsTest.only(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels).containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
            assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");

            List<NetworkPolicyPeer> from = policy.getSpec().getIngress().stream().flatMap(rule -> rule.getFrom().stream()).toList();
            assertThat(from).as("%s: whole namespaces by name, never an address range or everyone", overlay)
                    .isNotEmpty().allSatisfy(peer -> {
                        assertThat(peer.getIpBlock()).isNull();
                        assertThat(peer.getNamespaceSelector().getMatchLabels()).containsKey("kubernetes.io/metadata.name");
                    });
            assertThat(from).extracting(peer -> peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                    .containsExactlyInAnyOrder("ingress-nginx", "monitoring");
            assertThat(policy.getSpec().getIngress()).allSatisfy(rule -> assertThat(rule.getPorts())
                    .extracting(p -> p.getPort().getIntVal()).containsExactly(3000));

            List<Integer> out = policy.getSpec().getEgress().stream().flatMap(rule -> rule.getPorts().stream())
                    .map(NetworkPolicyPort::getPort).map(p -> p.getIntVal()).toList();
            assertThat(out).as("%s: DNS, Slack and the API server (443/6443), Prometheus, PostgreSQL", overlay)
                    .contains(53, 443, 6443, 9090, 5432);
        }
    }

    @Test
    void bothOverlaysTakeTheClusterRoleAndTheNamespacedAlternativeRendersRolesOnly() throws Exception {
        for (String overlay : List.of("single", "ha")) {
            List<HasMetadata> objects = render(overlay);
            assertThat(all(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class)).as(overlay).hasSize(1);
            assertThat(all(objects, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class)).as(overlay).isNotEmpty();
        }
        List<HasMetadata> namespaced = renderDirectory("manifests/rbac/namespaced");
        assertThat(all(namespaced, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class)).isEmpty();
        List<io.fabric8.kubernetes.api.model.rbac.Role> roles = all(namespaced, io.fabric8.kubernetes.api.model.rbac.Role.class);
        assertThat(roles).isNotEmpty();
        assertThat(all(namespaced, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class))
                .extracting(b -> b.getMetadata().getNamespace() + "/" + b.getRoleRef().getKind() + "/" + b.getRoleRef().getName())
                .containsExactlyInAnyOrderElementsOf(roles.stream()
                        .map(r -> r.getMetadata().getNamespace() + "/Role/" + r.getMetadata().getName()).toList());
    }

    @Test
    void noOverlayCarriesASecretAndNoSecretAnywhereHasAnEmptyValue() throws Exception {
        for (String overlay : List.of("single", "ha")) {
            assertThat(all(render(overlay), Secret.class)).as("%s: applying it never touches rewind-secrets", overlay).isEmpty();
        }
        List<Path> yamlFiles;
        try (var files = Files.walk(Path.of("manifests"))) {
            yamlFiles = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : yamlFiles) {
            for (Secret secret : all(ManifestsTest.parse(file), Secret.class)) {
                assertThat(secret.getStringData() == null ? Map.<String, String>of() : secret.getStringData())
                        .as("%s", file).allSatisfy((key, value) -> assertThat(value).as("%s %s", file, key).isNotBlank());
                assertThat(secret.getData() == null ? Map.<String, String>of() : secret.getData())
                        .as("%s", file).allSatisfy((key, value) -> assertThat(value).as("%s %s", file, key).isNotBlank());
                for (Path kustomization : yamlFiles.stream().filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList()) {
                    assertThat(Files.readAllLines(kustomization)).as("%s includes %s", kustomization, file)
                            .filteredOn(line -> !line.strip().startsWith("#"))
                            .noneMatch(line -> line.contains(file.getFileName().toString()));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> strings(Map<String, Object> map) {
        return (Map<String, String>) (Map<?, ?>) map;
    }
}
