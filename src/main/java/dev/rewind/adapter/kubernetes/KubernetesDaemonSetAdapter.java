package dev.rewind.adapter.kubernetes;

import dev.rewind.config.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.util.Optional;

/**
 * {@code kubernetes-daemonset}: rolls a DaemonSet back to an earlier ControllerRevision the way
 * {@code kubectl rollout undo daemonset} does, then watches until every node that should run it runs
 * an updated, available pod ({@code updatedNumberScheduled} and {@code numberAvailable} equal
 * {@code desiredNumberScheduled}). DaemonSets have no progress deadline: one that does not get there
 * fails at the timeout with its pods' reasons.
 */
public final class KubernetesDaemonSetAdapter extends ControllerRevisionRollback<DaemonSet, KubernetesDaemonSetAdapter.Spec> {

    public static final String TYPE = "kubernetes-daemonset";

    public KubernetesDaemonSetAdapter(KubernetesClient client) {
        super(client, "DaemonSet", Spec.class);
    }

    /** The {@code target:} block: {@code {type: kubernetes-daemonset, namespace: shop, daemonSet: NAME}}. */
    public record Spec(@Required String namespace, @Required String daemonSet) implements Workload {
        @Override
        public String name() {
            return daemonSet;
        }
    }

    @Override
    Resource<DaemonSet> resource(KubernetesClient client, String namespace, String name) {
        return client.apps().daemonSets().inNamespace(namespace).withName(name);
    }

    @Override
    PodTemplateSpec template(DaemonSet workload) {
        return workload.getSpec().getTemplate();
    }

    @Override
    LabelSelector selector(DaemonSet workload) {
        return workload.getSpec().getSelector();
    }

    @Override
    RolloutStatus status(DaemonSet workload) {
        return RolloutStatus.of(workload);
    }

    @Override
    Optional<String> recordedRevision(DaemonSet workload) {
        // A DaemonSet's status names no revision; the one holding its template is the live one.
        return Optional.empty();
    }

    @Override
    Optional<String> updateStrategy(DaemonSet workload) {
        return Optional.ofNullable(workload.getSpec().getUpdateStrategy()).map(s -> s.getType());
    }

    @Override
    public String type() {
        return TYPE;
    }
}
