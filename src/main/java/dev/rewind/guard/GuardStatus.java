package dev.rewind.guard;

/** Where a deploy guard stands. */
public enum GuardStatus {
    /** Checking the new revision every interval until its window ends. */
    WATCHING,
    /** The window ended without any rule holding. */
    HEALTHY,
    /**
     * The window ended without a single evaluation that had something to judge by (no number for any rule's signal,
     * no probe): the revision was not shown healthy, and people are told so.
     */
    UNJUDGED,
    /** A rule held: the service's card was opened (see the guard's run). */
    TRIGGERED,
    /** A newer revision of the service was deployed before the window ended; its own guard took over. */
    SUPERSEDED;

    public boolean over() {
        return this != WATCHING;
    }
}
