package dev.rewind.rollback;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What one step of a run left for after the incident, and whether someone has done it.
 *
 * @param step      the index of the plan step that left it
 * @param targetKey the {@link dev.rewind.config.Target#id()} of that step's target, to find it in
 *                  {@code rewind.yml} again
 * @param recorded  what the adapter recorded when it executed the step; it needs it to finish
 */
public record FollowUpTask(
        String id,
        String runId,
        int step,
        String targetKey,
        String action,
        String description,
        Map<String, String> recorded,
        Instant createdAt,
        Optional<Done> done) {

    public FollowUpTask {
        recorded = Map.copyOf(recorded);
    }

    public static String idOf(String runId, int step) {
        return runId + "-" + step;
    }

    /** Who carried it out, when, and what the adapter said. */
    public record Done(String by, Instant at, String result) {
    }
}
