package dev.rewind.drill;

/** Where a drill stands. */
public enum DrillState {
    /** Its rollback card is open, approved or running. */
    ROLLING_BACK,
    /** The rollback is done; the restore to the revision that ran before is running. */
    RESTORING,
    /** Both steps done, recovered within the target and decided within the tier's deadline. */
    PASSED,
    /** Both steps ran, but the recovery target or the deadline was missed, or the rollback itself failed. */
    FAILED,
    /** Stopped before its end: dismissed, or a real incident took precedence. */
    STOPPED,
    /** The rollback happened and the restore did not: the service is left on the older revision. */
    RESTORE_FAILED;

    public boolean over() {
        return this != ROLLING_BACK && this != RESTORING;
    }
}
