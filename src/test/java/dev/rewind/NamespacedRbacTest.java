package dev.rewind;

import dev.rewind.config.Settings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar rewind.jar --write-rbac FILE}: a Role per namespace with only what the targets there need, and
 * the copy committed under manifests/rbac/namespaced is what it makes of the shipped ConfigMap's rewind.yml.
 */
class NamespacedRbacTest {

    @TempDir
    Path dir;

    @Test
    void eachNamespaceGetsOnlyTheVerbsItsTargetsGuardsAndSmokeTestsUse() throws IOException {
        Files.writeString(dir.resolve("rewind.yml"), """
                services:
                  - name: checkout
                    channel: C1
                    approvers: [U1]
                    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}
                  - name: cart
                    channel: C1
                    approvers: [U1]
                    target: {type: kubernetes-statefulset, namespace: shop, statefulSet: cart}
                    signals: {errorRate: 'errors'}
                    guard: {window: 30m, interval: 30s}
                    policy:
                      - name: errors
                        when: {signal: errorRate, above: 5%}
                        action: propose
                    verification: {job: {image: "shop/smoke:1", command: ["./smoke.sh"], namespace: qa}}
                  - name: payments-keys
                    channel: C1
                    approvers: [U1]
                    target: {type: config, namespace: payments, secret: payments-keys, keyEnv: PAYMENTS_KEY}
                  - name: orders-schema
                    channel: C1
                    approvers: [U1, U2]
                    target: {type: database-migration, namespace: data, backup: {image: b, command: [backup]}, rollback: {image: r, command: [down]}}
                  - name: flags
                    channel: C1
                    approvers: [U1]
                    target: {type: feature-flag, provider: launchdarkly, url: "https://app.launchdarkly.com", flag: new-checkout, project: shop, environment: production, tokenEnv: LD_KEY}
                """);
        Map<String, List<HasMetadata>> byNamespace = write(Map.of("REWIND_CONFIG", dir.resolve("rewind.yml").toString(),
                "REWIND_NAMESPACE", "ops", "PAYMENTS_KEY", "k", "LD_KEY", "k"));

        assertThat(byNamespace).as("one Role and RoleBinding per namespace a Kubernetes target uses; the feature flag needs none")
                .containsOnlyKeys("shop", "qa", "payments", "data");
        assertThat(rules(byNamespace.get("shop"))).containsOnly(
                Map.entry("apps/deployments", new TreeSet<>(List.of("get", "patch", "watch"))),
                Map.entry("apps/replicasets", new TreeSet<>(List.of("list"))),
                Map.entry("apps/statefulsets", new TreeSet<>(List.of("get", "list", "patch", "watch"))),
                Map.entry("apps/controllerrevisions", new TreeSet<>(List.of("list"))),
                Map.entry("/pods", new TreeSet<>(List.of("list"))));
        assertThat(rules(byNamespace.get("qa"))).as("the smoke-test Job's namespace")
                .containsOnly(Map.entry("batch/jobs", new TreeSet<>(List.of("create", "get"))));
        assertThat(rules(byNamespace.get("payments"))).as("Secrets only where a config target keeps one")
                .containsOnly(Map.entry("/secrets", new TreeSet<>(List.of("get", "patch", "watch"))));
        assertThat(rules(byNamespace.get("data"))).as("Jobs only where a migration runs").containsKeys("batch/jobs", "/pods/log");
        byNamespace.forEach((namespace, objects) -> {
            assertThat(rules(byNamespace.get(namespace))).as("no Secrets in %s", namespace)
                    .matches(rules -> namespace.equals("payments") || !rules.containsKey("/secrets"));
            RoleBinding binding = objects.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                    .findFirst().orElseThrow();
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
                assertThat(subject.getName()).isEqualTo("rewind");
                assertThat(subject.getNamespace()).as("REWIND_NAMESPACE").isEqualTo("ops");
            });
        });
    }

    @Test
    void theCommittedNamespacedRbacIsWhatTheShippedConfigMapsCatalogueNeeds() throws IOException {
        Matcher catalogue = Pattern.compile("rewind\\.yml: \\|\\n((?: {4}.*\\n|\\n)+)")
                .matcher(Files.readString(Path.of("manifests/base/configmap.yaml")));
        assertThat(catalogue.find()).isTrue();
        Files.writeString(dir.resolve("rewind.yml"), catalogue.group(1).replaceAll("(?m)^ {4}", ""));
        Path written = dir.resolve("roles.yaml");
        assertThat(Rewind.writeRbac(() -> Settings.from(Map.of("REWIND_CONFIG", dir.resolve("rewind.yml").toString())), written)).isZero();

        assertThat(Files.readString(Path.of("manifests/rbac/namespaced/roles.yaml")))
                .as("manifests/rbac/namespaced/roles.yaml; remake it with REWIND_CONFIG=<the ConfigMap's rewind.yml> "
                        + "java -jar target/rewind.jar --write-rbac manifests/rbac/namespaced/roles.yaml")
                .isEqualTo(Files.readString(written));
        assertThat(load(written)).noneMatch(ClusterRole.class::isInstance);
    }

    private Map<String, List<HasMetadata>> write(Map<String, String> env) throws IOException {
        Path written = dir.resolve("roles.yaml");
        assertThat(Rewind.writeRbac(() -> Settings.from(env), written)).as("exit status").isZero();
        return load(written).stream().collect(java.util.stream.Collectors.groupingBy(o -> o.getMetadata().getNamespace()));
    }

    private static List<HasMetadata> load(Path file) throws IOException {
        return Serialization.unmarshal(new ByteArrayInputStream(Files.readString(file).getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, TreeSet<String>> rules(List<HasMetadata> objects) {
        Role role = objects.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow();
        Map<String, TreeSet<String>> rules = new java.util.TreeMap<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    rules.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(rule.getVerbs());
                }
            }
        }
        return rules;
    }
}
