package dev.rewind.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the guard remembers of one rule between evaluations: since when its signal limits have held at every
 * evaluation (none: they did not hold last time), and how many probes in a row failed. {@code for: 1m} holds once
 * the limits held at every evaluation for a minute — consecutive evaluations, not a PromQL subquery, so a gap in the
 * numbers (no answer) starts the count again.
 */
public record RuleProgress(Optional<Instant> holdingSince, int probeFailures) {

    public static final RuleProgress NONE = new RuleProgress(Optional.empty(), 0);

    /** After one evaluation: the signal limits held (or not) at {@code at}; the probe failed (or not). */
    public RuleProgress next(boolean limitsHeld, boolean probeFailed, Instant at) {
        return new RuleProgress(limitsHeld ? holdingSince.or(() -> Optional.of(at)) : Optional.empty(),
                probeFailed ? probeFailures + 1 : 0);
    }

    /** How long the limits have held, at {@code now}. */
    public Duration heldFor(Instant now) {
        return holdingSince.map(since -> Duration.between(since, now)).orElse(Duration.ZERO);
    }
}
