package dev.rewind.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

import java.util.Objects;

/**
 * Where a Deployment's rollout stands, judged as {@code kubectl rollout status} judges it: the
 * controller has seen the latest spec, every replica is updated and available, and no old replica is left.
 */
public record RolloutStatus(State state, String detail) {

    public enum State { COMPLETE, PROGRESSING, FAILED }

    public static RolloutStatus of(Deployment deployment) {
        DeploymentStatus status = deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
        long generation = deployment.getMetadata().getGeneration() == null ? 0 : deployment.getMetadata().getGeneration();
        long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int ready = orZero(status.getReadyReplicas());
        int available = orZero(status.getAvailableReplicas());
        int total = orZero(status.getReplicas());
        String counts = updated + "/" + desired + " updated, " + ready + "/" + desired + " ready, "
                + available + "/" + desired + " available";
        if (generation > observed) {
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

    private static int orZero(Integer value) {
        return Objects.requireNonNullElse(value, 0);
    }
}
