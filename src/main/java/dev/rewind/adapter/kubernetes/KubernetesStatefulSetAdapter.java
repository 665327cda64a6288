package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.Target;
import dev.rewind.adapter.TargetState;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code kubernetes-statefulset}: rolls a StatefulSet back to an earlier ControllerRevision the way
 * {@code kubectl rollout undo statefulset} does, then watches until every pod runs it
 * ({@code currentRevision == updateRevision}) and all replicas are ready. StatefulSets have no progress
 * deadline: one that does not get there fails at the timeout with its pods' reasons.
 */
public final class KubernetesStatefulSetAdapter implements RollbackAdapter {

    public static final String TYPE = "kubernetes-statefulset";

    private final ControllerRevisionRollback<StatefulSet> rollback;

    public KubernetesStatefulSetAdapter(KubernetesClient client) {
        this.rollback = new ControllerRevisionRollback<>(client, "StatefulSet", "statefulSet") {
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
        };
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Target target) {
        rollback.validate(target);
    }

    @Override
    public TargetState describe(Target target) {
        return rollback.describe(target);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        return rollback.execute(target, change, progress, timeout);
    }

    @Override
    public Health verify(Target target) {
        return rollback.verify(target);
    }
}
