package dev.rewind.adapter.config;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Progress;
import dev.rewind.config.Target;
import dev.rewind.adapter.kubernetes.KubernetesDeploymentAdapter;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import dev.rewind.adapter.kubernetes.RolloutStatus;
import dev.rewind.adapter.kubernetes.RolloutWatch;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Restarts the Deployments that read a ConfigMap or Secret, as {@code kubectl rollout restart} does
 * (a {@code restartedAt} annotation on the pod template), once per run: the run id is written next to
 * it, so executing the same run again does not restart twice. Waits with the Deployment adapter's
 * {@link RolloutWatch}.
 */
final class WorkloadRestarts {

    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    static final String RESTARTED_FOR = "rewind.dev/restarted-for";

    private final KubernetesClient client;
    private final Clock clock;

    WorkloadRestarts(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    Optional<Deployment> find(String namespace, String name) {
        try {
            return Optional.ofNullable(resource(namespace, name).get());
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read Deployment " + namespace + "/" + name + ": "
                    + KubernetesErrors.describe(e), e);
        }
    }

    /** Restarts the Deployment unless it was already restarted for {@code runId}; true when it restarted it now. */
    boolean restart(String namespace, String name, String runId) {
        Deployment deployment = find(namespace, name).orElseThrow(() -> new AdapterException("Deployment "
                + namespace + "/" + name + " (listed in restart) not found"));
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata() == null ? null
                : deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        if (annotations != null && runId.equals(annotations.get(RESTARTED_FOR))) {
            return false;
        }
        Map<String, String> added = new LinkedHashMap<>();
        added.put(RESTARTED_AT, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        added.put(RESTARTED_FOR, runId);
        List<Map<String, Object>> patch = new ArrayList<>();
        if (deployment.getSpec().getTemplate().getMetadata() == null) {
            patch.add(Map.of("op", "add", "path", "/spec/template/metadata", "value", Map.of("annotations", added)));
        } else if (annotations == null) {
            patch.add(Map.of("op", "add", "path", "/spec/template/metadata/annotations", "value", added));
        } else {
            added.forEach((key, value) -> patch.add(Map.of("op", "add",
                    "path", "/spec/template/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1"),
                    "value", value)));
        }
        try {
            resource(namespace, name).patch(PatchContext.of(PatchType.JSON), Serialization.asJson(patch));
        } catch (KubernetesClientException e) {
            throw new AdapterException("Kubernetes refused to restart Deployment " + namespace + "/" + name + ": "
                    + KubernetesErrors.describe(e), e);
        }
        return true;
    }

    RolloutStatus awaitRollout(String namespace, String name, Progress progress, Duration timeout) {
        return new RolloutWatch<>(client, resource(namespace, name), "Deployment " + namespace + "/" + name,
                RolloutStatus::of, KubernetesDeploymentAdapter::podSelector, progress).awaitComplete(timeout);
    }

    private RollableScalableResource<Deployment> resource(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name);
    }
}
