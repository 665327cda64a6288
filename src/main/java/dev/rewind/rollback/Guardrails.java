package dev.rewind.rollback;

import dev.rewind.assess.Tier;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The engine's brakes on rolling back again, as pure functions of the service's limits, what already
 * happened and the time: the cooldown after a rollback, the attempt limit within a window, how long a
 * request may wait for approvals, and when one approval may do (break glass). Table-tested.
 */
public final class Guardrails {

    private Guardrails() {
    }

    /**
     * Why a new rollback of {@code service} must not start now; empty when it may.
     *
     * @param recent the service's other runs started within the attempts window, newest first. Runs
     *               still in progress are left to the target lock, which answers "already being rolled
     *               back" rather than "wait for the cooldown".
     */
    public static Optional<String> stop(String service, ServiceConfig.Guardrails limits, List<RollbackRun> recent,
                                        Instant now) {
        Optional<RollbackRun> last = recent.stream().filter(r -> r.finishedAt().isPresent()).findFirst();
        if (last.isPresent()) {
            Duration since = Duration.between(last.get().finishedAt().orElseThrow(), now);
            if (since.compareTo(limits.cooldown()) < 0) {
                return Optional.of(service + " was rolled back " + DurationText.format(since.isZero()
                        ? Duration.ofSeconds(1) : since) + " ago (run " + last.get().id() + "); the cooldown is "
                        + DurationText.format(limits.cooldown()) + ". Wait " + DurationText.format(
                        limits.cooldown().minus(since)) + " or override it.");
            }
        }
        if (recent.size() >= limits.maxAttempts()) {
            return Optional.of(service + " has been rolled back " + recent.size() + " times in the last "
                    + DurationText.format(limits.attemptsWindow()) + " (limit " + limits.maxAttempts()
                    + "); something else may be wrong. Override it only if you are sure.");
        }
        return Optional.empty();
    }

    /** Whether a request waiting for approvals since {@code waitingSince} is past its service's expiry. */
    public static boolean expired(Instant waitingSince, ServiceConfig.Guardrails limits, Instant now) {
        return !waitingSince.isAfter(now.minus(limits.requestExpiry()));
    }

    /**
     * Whether an approver may proceed on the approvals counted so far, short of the number needed:
     * only when the service allows it, the tier is IMMEDIATE and someone has approved already.
     */
    public static boolean breakGlass(int counted, int needed, boolean allowedByService, Tier tier) {
        return counted < needed && counted >= 1 && allowedByService && tier == Tier.IMMEDIATE;
    }
}
