package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Progress;
import dev.rewind.config.DurationText;

import java.time.Duration;

/**
 * Waits, after a push, until the GitOps tool runs the revert synced and healthy: reads it every
 * {@code interval}, reports each change of what it says, and gives up at the step's deadline or as
 * soon as the tool reports the revert unhealthy.
 */
final class SyncWait {

    private final GitOpsSync sync;
    private final Duration interval;
    private final Progress progress;

    SyncWait(GitOpsSync sync, Duration interval, Progress progress) {
        this.sync = sync;
        this.interval = interval;
        this.progress = progress;
    }

    /**
     * @param deadline  {@link System#nanoTime()} by which the step must be done
     * @param timeout   the step's whole timeout, for the message
     * @return the healthy verdict
     * @throws AdapterException when the tool reports the revert unhealthy or the deadline passes first
     */
    Health await(LandedRevert revert, long deadline, Duration timeout) {
        String last = "";
        while (true) {
            Health health = sync.read().judge(revert);
            if (!health.detail().equals(last)) {
                progress.step(health.detail());
                last = health.detail();
            }
            if (health.isHealthy()) {
                return health;
            }
            if (health.status() == Health.Status.UNHEALTHY) {
                throw new AdapterException(health.detail());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AdapterException(sync.name() + " did not run the revert " + revert.shortSha() + " within "
                        + DurationText.format(timeout) + " (" + health.detail() + ")");
            }
            try {
                Thread.sleep(Math.max(1, Math.min(left, interval.toNanos()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdapterException("interrupted while waiting for " + sync.name() + " to sync the revert");
            }
        }
    }
}
