package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Progress;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;

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
import java.util.function.Function;

/**
 * Follows a workload's rollout through a watch until it completes, reporting each change of the
 * replica counts. A periodic read backs the watch up (watches can drop silently). A rollout judged
 * FAILED (a Deployment past its progress deadline), or one still going at the caller's timeout,
 * fails with what its pods say. Shared by the Kubernetes adapters: the judge says what "done" means
 * for the kind, the pod selector says which pods to ask when it is not.
 *
 * @param <T> the workload's type (Deployment, StatefulSet, DaemonSet, a generic resource…)
 */
public final class RolloutWatch<T extends HasMetadata> {

    private static final Duration POLL = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final Resource<T> resource;
    private final String what;
    private final Function<T, RolloutStatus> judge;
    private final Function<T, Map<String, String>> podSelector;
    private final Progress progress;
    private final AtomicReference<String> lastReported = new AtomicReference<>("");
    private final CompletableFuture<RolloutStatus> result = new CompletableFuture<>();

    /**
     * @param what        how people call the workload in messages ({@code Deployment shop/checkout})
     * @param judge       where the rollout stands, from one read of the workload; may read more (quickly)
     * @param podSelector the labels of the workload's pods, asked for their reasons when it fails
     */
    public RolloutWatch(KubernetesClient client, Resource<T> resource, String what, Function<T, RolloutStatus> judge,
                        Function<T, Map<String, String>> podSelector, Progress progress) {
        this.client = client;
        this.resource = resource;
        this.what = what;
        this.judge = judge;
        this.podSelector = podSelector;
        this.progress = progress;
    }

    /** Waits until the judge says COMPLETE and returns that status; throws with the reason otherwise. */
    public RolloutStatus awaitComplete(Duration timeout) {
        Watch watch = null;
        try {
            watch = resource.watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, T workload) {
                    if (action == Action.DELETED) {
                        result.completeExceptionally(new AdapterException(what + " was deleted during the rollback"));
                    } else {
                        evaluate(workload);
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
                T current;
                try {
                    current = resource.get();
                    if (current == null) {
                        throw new AdapterException(what + " was deleted during the rollback");
                    }
                    evaluate(current);
                } catch (KubernetesClientException e) {
                    // A passing API error must not fail a rollback that is progressing: read again until the deadline.
                    progress.step("Reading " + what + " failed (" + KubernetesErrors.describe(e) + "); trying again");
                }
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
                throw new AdapterException("rollout did not complete within " + (timeout.toMillis() < 10_000
                        ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s") + " ("
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

    private void evaluate(T workload) {
        RolloutStatus status;
        try {
            status = judge.apply(workload);
        } catch (KubernetesClientException e) {
            // the judge's extra read failed; the next event or poll tries again
            return;
        }
        if (!status.detail().equals(lastReported.getAndSet(status.detail()))) {
            progress.step(what + ": " + status.detail());
        }
        if (status.state() != RolloutStatus.State.PROGRESSING) {
            result.complete(status);
        }
    }

    /** What the workload's pods are stuck on: "; pods: 2× ImagePullBackOff (Back-off pulling image …)". */
    private String podProblems() {
        try {
            T workload = resource.get();
            Map<String, String> selector = workload == null ? Map.of() : podSelector.apply(workload);
            if (selector == null || selector.isEmpty()) {
                return "";
            }
            List<Pod> pods = client.pods().inNamespace(workload.getMetadata().getNamespace())
                    .withLabels(selector).list().getItems();
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
