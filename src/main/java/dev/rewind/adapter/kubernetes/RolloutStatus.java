package dev.rewind.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;

import java.util.Objects;

/**
 * Where a workload's rollout stands, judged as {@code kubectl rollout status} judges it: the
 * controller has seen the latest spec, every replica is updated and available, and no old replica is
 * left. Shared by the Kubernetes adapters, which may judge their own kinds ({@code COMPLETE} means
 * "done and healthy", {@code FAILED} means "will not get there without a person").
 */
public record RolloutStatus(State state, String detail) {

    public enum State { COMPLETE, PROGRESSING, FAILED }

    public static RolloutStatus of(Deployment deployment) {
        DeploymentStatus status = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int ready = orZero(status.getReadyReplicas());
        int available = orZero(status.getAvailableReplicas());
        int total = orZero(status.getReplicas());
        String counts = updated + "/" + desired + " updated, " + ready + "/" + desired + " ready, "
                + available + "/" + desired + " available";
        if (!observed(deployment, status.getObservedGeneration())) {
            return new RolloutStatus(State.PROGRESSING, "waiting for the controller to see the change (" + counts + ")");
        }
        if (status.getConditions() != null) {
            for (DeploymentCondition condition : status.getConditions()) {
                if ("Progressing".equals(condition.getType()) && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                    return new RolloutStatus(State.FAILED, "rollout exceeded its progress deadline ("
                            + counts + ")" + (condition.getMessage() == null ? "" : ": " + condition.getMessage()));
                }
            }
        }
        if (updated < desired) {
            return new RolloutStatus(State.PROGRESSING, counts);
        }
        if (total > updated) {
            return new RolloutStatus(State.PROGRESSING, counts + ", " + (total - updated) + " old replica(s) terminating");
        }
        if (available < updated) {
            return new RolloutStatus(State.PROGRESSING, counts);
        }
        return new RolloutStatus(State.COMPLETE, counts);
    }

    /**
     * A StatefulSet is rolled out when the controller has seen the spec, every pod runs the update
     * revision ({@code currentRevision == updateRevision}) and all replicas are ready. StatefulSets have
     * no progress deadline, so a stuck one stays PROGRESSING until the caller's timeout.
     */
    public static RolloutStatus of(StatefulSet statefulSet) {
        StatefulSetStatus status = statefulSet.getStatus() == null ? new StatefulSetStatus() : statefulSet.getStatus();
        int desired = statefulSet.getSpec().getReplicas() == null ? 1 : statefulSet.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int ready = orZero(status.getReadyReplicas());
        String counts = updated + "/" + desired + " updated, " + ready + "/" + desired + " ready";
        if (!observed(statefulSet, status.getObservedGeneration())) {
            return new RolloutStatus(State.PROGRESSING, "waiting for the controller to see the change (" + counts + ")");
        }
        if (isOnDelete(statefulSet.getSpec().getUpdateStrategy() == null ? null
                : statefulSet.getSpec().getUpdateStrategy().getType())
                && !Objects.equals(status.getUpdateRevision(), status.getCurrentRevision())) {
            return new RolloutStatus(State.PROGRESSING, counts + "; updateStrategy OnDelete: pods take the restored "
                    + "template only when they are deleted");
        }
        if (status.getUpdateRevision() != null && !status.getUpdateRevision().equals(status.getCurrentRevision())) {
            return new RolloutStatus(State.PROGRESSING, counts + ", rolling update to " + status.getUpdateRevision()
                    + " in progress");
        }
        if (ready < desired) {
            return new RolloutStatus(State.PROGRESSING, counts);
        }
        return new RolloutStatus(State.COMPLETE, counts);
    }

    /**
     * A DaemonSet is rolled out when the controller has seen the spec and every node that should run
     * it runs an updated, available pod. Like StatefulSets, DaemonSets have no progress deadline.
     */
    public static RolloutStatus of(DaemonSet daemonSet) {
        DaemonSetStatus status = daemonSet.getStatus() == null ? new DaemonSetStatus() : daemonSet.getStatus();
        int desired = orZero(status.getDesiredNumberScheduled());
        int updated = orZero(status.getUpdatedNumberScheduled());
        int available = orZero(status.getNumberAvailable());
        String counts = updated + "/" + desired + " nodes updated, " + available + "/" + desired + " available";
        if (!observed(daemonSet, status.getObservedGeneration())) {
            return new RolloutStatus(State.PROGRESSING, "waiting for the controller to see the change (" + counts + ")");
        }
        if (updated < desired) {
            return new RolloutStatus(State.PROGRESSING, counts + (isOnDelete(daemonSet.getSpec().getUpdateStrategy() == null
                    ? null : daemonSet.getSpec().getUpdateStrategy().getType())
                    ? "; updateStrategy OnDelete: pods take the restored template only when they are deleted" : ""));
        }
        if (available < desired) {
            return new RolloutStatus(State.PROGRESSING, counts);
        }
        return new RolloutStatus(State.COMPLETE, counts);
    }

    private static boolean observed(HasMetadata resource, Long observedGeneration) {
        long generation = resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
        long observed = observedGeneration == null ? 0 : observedGeneration;
        return observed >= generation;
    }

    private static boolean isOnDelete(String strategy) {
        return "OnDelete".equals(strategy);
    }

    private static int orZero(Integer value) {
        return Objects.requireNonNullElse(value, 0);
    }
}
