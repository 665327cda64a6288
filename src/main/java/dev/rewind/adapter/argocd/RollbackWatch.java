package dev.rewind.adapter.argocd;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Progress;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Polls an Argo CD application, at a bounded interval, until the rollback operation has succeeded,
 * the chosen revision is live and the application is Healthy; reports each change of state. An
 * operation that fails, or a deadline that passes, ends the watch with Argo CD's own message.
 * Sync status is reported but not required: after a rollback Argo CD reports OutOfSync, because
 * git still points at the newer revision.
 */
final class RollbackWatch {

    private final Supplier<ArgoApplication> read;
    private final String name;
    private final Duration interval;
    private final Progress progress;

    RollbackWatch(Supplier<ArgoApplication> read, String name, Duration interval, Progress progress) {
        this.read = read;
        this.name = name;
        this.interval = interval;
        this.progress = progress;
    }

    ArgoApplication awaitHealthyAt(ArgoApplication.Deployment wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            ArgoApplication app = read.get();
            String summary = app.summary() + app.live().map(d -> " at " + d.label()).orElse("");
            if (!summary.equals(last)) {
                progress.step("Argo CD application " + name + ": " + summary);
                last = summary;
            }
            boolean atRevision = app.live().map(d -> d.revision().equals(wanted.revision())).orElse(false);
            // Only our operation's failure counts: until Argo CD picks the rollback up, the state of an
            // earlier (perhaps failed) sync is still shown.
            if (app.operationFailed() && !app.operationRunning()
                    && app.operationRevision().map(wanted.revision()::equals).orElse(false)) {
                throw new AdapterException("Argo CD's rollback of " + name + " to " + wanted.label() + " failed: "
                        + app.operationMessage());
            }
            if (atRevision && !app.operationRunning() && app.health().equals("Healthy")) {
                return app;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AdapterException("Argo CD application " + name + " did not become Healthy at " + wanted.label()
                        + " within " + timeout.toSeconds() + " s (now " + summary + ")");
            }
            try {
                Thread.sleep(Math.max(1, Math.min(left, interval.toNanos()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdapterException("interrupted while watching the rollback of Argo CD application " + name);
            }
        }
    }
}
