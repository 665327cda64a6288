package dev.rewind.manifests;

import dev.rewind.outbox.OutboxWorker;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files in manifests/base parse as Kubernetes objects and say what a safe deployment needs; the
 * Secret is only an example, outside every kustomization. {@link RenderedManifestsTest} checks what
 * the overlays make of them.
 */
class ManifestsTest {

    static final Path BASE = Path.of("manifests/base");
    static final Path SECRET_EXAMPLE = Path.of("manifests/secret.example.yaml");

    static final Path CLUSTER_RBAC = Path.of("manifests/rbac/cluster");

    /** Every object in manifests/base and manifests/rbac/cluster (what both overlays take), as written. */
    static List<HasMetadata> load() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (Path dir : List.of(BASE, CLUSTER_RBAC)) {
            try (var files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml"))
                        .filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
                    objects.addAll(parse(file));
                }
            }
        }
        return objects;
    }

    static List<HasMetadata> parse(Path file) throws IOException {
        Object parsed = Serialization.unmarshal(Files.readString(file));
        if (parsed instanceof List<?> list) {
            return list.stream().map(HasMetadata.class::cast).toList();
        }
        return List.of((HasMetadata) parsed);
    }

    static <T> T only(List<HasMetadata> objects, Class<T> kind) {
        List<T> found = objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(found).as(kind.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    @Test
    void deploymentRunsAsNonRootWithProbesAndResources() throws IOException {
        Deployment deployment = only(load(), Deployment.class);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getServiceAccountName()).isEqualTo("rewind");
        assertThat(pod.getTerminationGracePeriodSeconds()).as("room for the outbox drain and the leases' hand-over")
                .isGreaterThanOrEqualTo(OutboxWorker.DRAIN.toSeconds() + 20);
        var container = pod.getContainers().get(0);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("rewind-secrets");
        assertThat(deployment.getMetadata().getNamespace()).as("namespace-agnostic").isNull();
    }

    @Test
    void theSecretIsAnExampleWithPlaceholdersAndNotInTheBase() throws IOException {
        assertThat(load()).as("applying the manifests never replaces the real Secret").noneMatch(Secret.class::isInstance);
        Secret secret = only(parse(SECRET_EXAMPLE), Secret.class);
        assertThat(secret.getStringData()).containsKeys("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL",
                "ALERTMANAGER_TOKEN");
        assertThat(secret.getStringData().values()).as("placeholders, never empty values under the real name")
                .allMatch(value -> value.contains("replace-me"));
        assertThat(secret.getData()).isNullOrEmpty();
    }

    @Test
    void everythingElseIsThere() throws IOException {
        List<HasMetadata> objects = load();
        assertThat(only(objects, Service.class).getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
        assertThat(only(objects, ServiceAccount.class).getMetadata().getName()).isEqualTo("rewind");
        RoleBinding binding = only(objects, RoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(only(objects, ClusterRole.class).getMetadata().getName());
        assertThat(binding.getSubjects().get(0).getName()).isEqualTo("rewind");
    }

    @Test
    void theDeploymentReadsTheAlertmanagerTokenFromTheSecretByKey() throws IOException {
        List<HasMetadata> objects = load();
        var container = only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        var token = container.getEnv().stream().filter(e -> e.getName().equals("ALERTMANAGER_TOKEN")).findFirst().orElseThrow();
        assertThat(token.getValue()).as("never a value in the manifest").isNull();
        Secret example = only(parse(SECRET_EXAMPLE), Secret.class);
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo(example.getMetadata().getName());
        assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("ALERTMANAGER_TOKEN");
        assertThat(token.getValueFrom().getSecretKeyRef().getOptional()).as("a missing key stops the pod").isNotEqualTo(Boolean.TRUE);
        assertThat(example.getStringData()).containsKey("ALERTMANAGER_TOKEN");
    }
}
