package dev.rewind.adapter.migration;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.ScalableResource;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows one Job through a watch until it succeeds or fails, reporting each change of its state. A
 * periodic read backs the watch up (watches can drop silently). Returns the final status; the caller
 * decides what a failure means.
 */
final class JobWatch {

    private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ScalableResource<Job> resource;
    private final String title;
    private final Progress progress;
    private final AtomicReference<String> lastReported = new AtomicReference<>("");
    private final CompletableFuture<JobStatus> result = new CompletableFuture<>();

    /** @param title how progress names the Job: {@code "Backup Job shop/rewind-…-backup"} */
    JobWatch(ScalableResource<Job> resource, String title, Progress progress) {
        this.resource = resource;
        this.title = title;
        this.progress = progress;
    }

    /**
     * @return the final status, or empty when {@code deadlineNanos} (a {@link System#nanoTime()} value) passes first
     */
    Optional<JobStatus> await(long deadlineNanos) {
        Watch watch = null;
        try {
            watch = resource.watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Job job) {
                    if (action == Action.DELETED) {
                        result.completeExceptionally(new AdapterException(title + " was deleted while Rewind was waiting for it"));
                    } else {
                        evaluate(job);
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    // The periodic read below carries on without the watch.
                }
            });
        } catch (KubernetesClientException e) {
            progress.step("Watching " + title + " is not possible (" + KubernetesErrors.describe(e) + "); polling instead");
        }
        try {
            while (!result.isDone()) {
                Job current = resource.get();
                if (current == null) {
                    throw new AdapterException(title + " was deleted while Rewind was waiting for it");
                }
                evaluate(current);
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    result.get(Math.min(left, POLL_NANOS), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // read again
                }
            }
            return result.isDone() ? Optional.of(result.get()) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdapterException("interrupted while waiting for " + title);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AdapterException adapter ? adapter
                    : new AdapterException("watching " + title + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read " + title + ": " + KubernetesErrors.describe(e), e);
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
    }

    private void evaluate(Job job) {
        JobStatus status = JobStatus.of(job);
        if (!status.detail().equals(lastReported.getAndSet(status.detail()))) {
            progress.step(title + ": " + status.detail());
        }
        if (status.finished()) {
            result.complete(status);
        }
    }
}
