package dev.rewind.rollback;

import java.time.Instant;

/** One timestamped line of a run's timeline ("Deployment shop/checkout: 2/3 updated, 1/3 ready"). */
public record RunEvent(String runId, Instant at, Kind kind, String message) {

    /** What the line marks, so the report can find the moments that matter. */
    public enum Kind {
        DETECTED, ASSESSED, REQUESTED, APPROVED, STARTED, STEP, TRAFFIC_RESTORED, VERIFYING, STABLE, FAILED, DISMISSED, NOTE
    }
}
