package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.Health;

/** One reading of a GitOps tool: what it runs now, and whether that is the revert, synced and healthy. */
interface SyncStatus {

    /** Where the tool is, for the card: {@code "at 1a2b3c4: Synced / Healthy"}. */
    String summary();

    /**
     * Healthy only when the tool runs a revision that includes {@code revert}, fully applied and
     * healthy. Progressing while it has not got there (saying what it waits for). Unhealthy when the
     * revision with the revert failed to apply or is degraded: a degraded app still on the old revision
     * is what the revert is for, so it does not count against the revert.
     */
    Health judge(LandedRevert revert);
}
