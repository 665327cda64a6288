package dev.rewind.adapter.kubernetes;

import dev.rewind.config.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.util.Optional;

/**
 * {@code kubernetes-statefulset}: rolls a StatefulSet back to an earlier ControllerRevision the way
 * {@code kubectl rollout undo statefulset} does, then watches until every pod runs it
 * ({@code currentRevision == updateRevision}) and all replicas are ready. StatefulSets have no progress
 * deadline: one that does not get there fails at the timeout with its pods' reasons.
 */
public final class KubernetesStatefulSetAdapter extends ControllerRevisionRollback<StatefulSet, KubernetesStatefulSetAdapter.Spec> {

    public static final String TYPE = "kubernetes-statefulset";

    public KubernetesStatefulSetAdapter(KubernetesClient client) {
        super(client, "StatefulSet", Spec.class);
    }

    /** The {@code target:} block: {@code {type: kubernetes-statefulset, namespace: shop, statefulSet: NAME}}. */
    public record Spec(@Required String namespace, @Required String statefulSet) implements Workload {
        @Override
        public String name() {
            return statefulSet;
        }
    }

    @Override
    Resource<StatefulSet> resource(KubernetesClient client, String namespace, String name) {
        return client.apps().statefulSets().inNamespace(namespace).withName(name);
    }

    @Override
    PodTemplateSpec template(StatefulSet workload) {
        return workload.getSpec().getTemplate();
    }

    @Override
    LabelSelector selector(StatefulSet workload) {
        return workload.getSpec().getSelector();
    }

    @Override
    RolloutStatus status(StatefulSet workload) {
        return RolloutStatus.of(workload);
    }

    @Override
    Optional<String> recordedRevision(StatefulSet workload) {
        return Optional.ofNullable(workload.getStatus()).map(s -> s.getUpdateRevision());
    }

    @Override
    Optional<String> updateStrategy(StatefulSet workload) {
        return Optional.ofNullable(workload.getSpec().getUpdateStrategy()).map(s -> s.getType());
    }

    @Override
    public String type() {
        return TYPE;
    }
}
