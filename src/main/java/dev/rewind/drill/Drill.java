package dev.rewind.drill;

import java.time.Instant;
import java.util.Optional;

/**
 * One rehearsal of a service's rollback, as stored: the rollback run, then the restore run back to the revision
 * that ran before.
 *
 * @param source       {@code command} ({@code /rollback drill}) or {@code schedule}
 * @param fromRevision the live revision when the drill started, which the restore goes back to
 * @param scheduledFor the schedule's time this drill is for, so each one runs once across replicas
 * @param report       the drill report once it ended: timings, pass or fail, what was slow
 * @param recovery     seconds from the drill's start to the rollback verified, when it got that far
 */
public record Drill(
        String id,
        String service,
        String requestedBy,
        String source,
        String fromRevision,
        String fromLabel,
        Optional<String> runId,
        Optional<String> restoreRunId,
        DrillState state,
        Instant startedAt,
        Optional<Instant> scheduledFor,
        Optional<Instant> endedAt,
        Optional<String> report,
        Optional<Long> recovery) {
}
