package dev.rewind.stats;

import dev.rewind.assess.Tier;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the figures need to know of one stored run: its facts, the moments people decided on it, and
 * when each plan step finished.
 *
 * @param tier      the tier of its latest assessment, if it was assessed
 * @param approvals when approvals were recorded (the last one before the run moved on is the decision)
 * @param dismissed when it was dismissed or its request withdrawn, if it was
 * @param steps     the plan steps it finished, in order
 */
public record PastRun(String id, String service, Trigger trigger, RunState state, boolean dryRun, Optional<Tier> tier,
                      Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt,
                      List<Instant> approvals, Optional<Instant> dismissed, List<Step> steps) {

    public PastRun {
        approvals = List.copyOf(approvals);
        steps = List.copyOf(steps);
    }

    /** A plan step that finished: what it changed ({@code target}) and when it was done. */
    public record Step(String target, Instant finishedAt) {
    }
}
