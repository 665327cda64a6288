package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Target;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows a Deployment's rollout through a watch until it completes, reporting each change of the
 * replica counts. A periodic read backs the watch up (watches can drop silently). A rollout that
 * exceeds its progress deadline, or the caller's timeout, fails with what its pods say. Public so other
 * adapters that change a Deployment (a config rollback restarting its workloads) wait the same way.
 */
public final class RolloutWatch {

    private static final Duration POLL = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final RollableScalableResource<Deployment> resource;
    private final Target target;
    private final Progress progress;
    private final AtomicReference<String> lastReported = new AtomicReference<>("");
    private final CompletableFuture<RolloutStatus> result = new CompletableFuture<>();

    public RolloutWatch(KubernetesClient client, RollableScalableResource<Deployment> resource, Target target, Progress progress) {
        this.client = client;
        this.resource = resource;
        this.target = target;
        this.progress = progress;
    }

    /**
     * Blocks until the rollout completes and returns its final status.
     *
     * @throws AdapterException when it fails, the Deployment is deleted, or {@code timeout} passes
     */
    public RolloutStatus awaitComplete(Duration timeout) {
        Watch watch = null;
        try {
            watch = resource.watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Deployment deployment) {
                    if (action == Action.DELETED) {
                        result.completeExceptionally(new AdapterException("Deployment "
                                + target.string("namespace") + "/" + target.string("deployment") + " was deleted during the rollback"));
                    } else {
                        evaluate(deployment);
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    // The periodic read below carries on without the watch.
                }
            });
        } catch (KubernetesClientException e) {
            progress.step("Watching the rollout is not possible (" + KubernetesErrors.describe(e) + "); polling instead");
        }
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!result.isDone()) {
                Deployment current = resource.get();
                if (current == null) {
                    throw new AdapterException("Deployment " + target.string("namespace") + "/"
                            + target.string("deployment") + " was deleted during the rollback");
                }
                evaluate(current);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    result.get(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // poll again
                }
            }
            if (!result.isDone()) {
                throw new AdapterException("rollout did not complete within " + timeout.toSeconds() + " s ("
                        + lastReported.get() + ")" + podProblems());
            }
            RolloutStatus status = result.get();
            if (status.state() == RolloutStatus.State.FAILED) {
                throw new AdapterException(status.detail() + podProblems());
            }
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdapterException("interrupted while waiting for the rollout");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AdapterException adapter ? adapter
                    : new AdapterException("watching the rollout failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
    }

    private void evaluate(Deployment deployment) {
        RolloutStatus status = RolloutStatus.of(deployment);
        if (!status.detail().equals(lastReported.getAndSet(status.detail()))) {
            progress.step("Deployment " + target.string("namespace") + "/" + target.string("deployment") + ": "
                    + status.detail());
        }
        if (status.state() != RolloutStatus.State.PROGRESSING) {
            result.complete(status);
        }
    }

    /** What the Deployment's pods are stuck on: "; pods: 2× ImagePullBackOff (Back-off pulling image …)". */
    private String podProblems() {
        try {
            Deployment deployment = resource.get();
            if (deployment == null || deployment.getSpec().getSelector() == null) {
                return "";
            }
            List<Pod> pods = client.pods().inNamespace(target.string("namespace"))
                    .withLabels(deployment.getSpec().getSelector().getMatchLabels()).list().getItems();
            Map<String, Integer> counts = new LinkedHashMap<>();
            Map<String, String> examples = new LinkedHashMap<>();
            for (Pod pod : pods) {
                List<ContainerStatus> statuses = new ArrayList<>();
                if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
                    statuses.addAll(pod.getStatus().getContainerStatuses());
                }
                for (ContainerStatus cs : statuses) {
                    String reason = null;
                    String message = null;
                    if (cs.getState() != null && cs.getState().getWaiting() != null) {
                        reason = cs.getState().getWaiting().getReason();
                        message = cs.getState().getWaiting().getMessage();
                    } else if (cs.getState() != null && cs.getState().getTerminated() != null) {
                        reason = cs.getState().getTerminated().getReason();
                        message = cs.getState().getTerminated().getMessage();
                    }
                    if (reason != null && !reason.equals("ContainerCreating")) {
                        counts.merge(reason, 1, Integer::sum);
                        if (message != null) {
                            examples.putIfAbsent(reason, message);
                        }
                    }
                }
            }
            if (counts.isEmpty()) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            counts.forEach((reason, count) -> parts.add(count + "× " + reason
                    + (examples.containsKey(reason) ? " (" + examples.get(reason) + ")" : "")));
            return "; pods: " + String.join(", ", parts);
        } catch (KubernetesClientException e) {
            return "; pods could not be read: " + KubernetesErrors.describe(e);
        }
    }
}
