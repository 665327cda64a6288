package dev.rewind.adapter;

import java.util.Optional;

/**
 * What one step of a run is asked to do: take the target to {@code revisionId}. Carries the run's
 * identity and words so adapters that call out (webhooks, pull requests, flag services) can say
 * who asked and why, and so a re-execution after a crash is recognisable as the same change.
 *
 * @param runId       the run this step belongs to; stable across retries and restarts
 * @param revisionId  the id of the revision to go to, as the adapter's {@code describe} named it
 * @param from        the live revision when the run was assessed, if known
 * @param to          the chosen revision as described, if known
 */
public record Change(
        String runId,
        String service,
        String environment,
        String revisionId,
        Optional<Revision> from,
        Optional<Revision> to,
        String reason,
        String requestedBy) {

    /** A change with only a run id and a revision, for tests and tools. */
    public static Change to(String runId, String revisionId) {
        return new Change(runId, "", "", revisionId, Optional.empty(), Optional.empty(), "", "");
    }
}
