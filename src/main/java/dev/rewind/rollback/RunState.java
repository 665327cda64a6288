package dev.rewind.rollback;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of a rollback run. Only the transitions listed here are possible; the store applies each
 * one as a single conditional update, so two actors can never both move a run out of the same state.
 */
public enum RunState {
    /** A card is up; nobody has asked for the rollback yet. */
    ASSESSED,
    /** Someone asked; approvals are still missing. Holds the target. */
    AWAITING_APPROVAL,
    /** Enough approvals; about to execute. Holds the target. */
    APPROVED,
    /** The adapter is changing the target. Holds the target. */
    EXECUTING,
    /** The change is made; waiting for the target and its signals to recover. Holds the target. */
    VERIFYING,
    SUCCEEDED,
    FAILED,
    /**
     * The change was made and is kept, but the service did not recover: its checks kept failing until the
     * step timeout. The deploy was probably not the cause; people are told at once.
     */
    NOT_RECOVERED,
    /** Dismissed, cancelled, or a dry run that stopped before the change. */
    ABORTED,
    /** Rewind stopped in the middle and could not tell how the run ended. */
    INTERRUPTED;

    private static final Map<RunState, Set<RunState>> NEXT = Map.of(
            ASSESSED, EnumSet.of(AWAITING_APPROVAL, ABORTED),
            AWAITING_APPROVAL, EnumSet.of(APPROVED, ABORTED),
            APPROVED, EnumSet.of(EXECUTING, ABORTED, INTERRUPTED),
            EXECUTING, EnumSet.of(VERIFYING, FAILED, INTERRUPTED),
            VERIFYING, EnumSet.of(SUCCEEDED, FAILED, NOT_RECOVERED, INTERRUPTED),
            SUCCEEDED, EnumSet.noneOf(RunState.class),
            FAILED, EnumSet.noneOf(RunState.class),
            NOT_RECOVERED, EnumSet.noneOf(RunState.class),
            ABORTED, EnumSet.noneOf(RunState.class),
            INTERRUPTED, EnumSet.noneOf(RunState.class));

    public boolean canMoveTo(RunState next) {
        return NEXT.get(this).contains(next);
    }

    public boolean isFinal() {
        return NEXT.get(this).isEmpty();
    }

    /** Whether a run in this state holds its targets, so no other run may start on them. */
    public boolean holdsTarget() {
        return this == AWAITING_APPROVAL || this == APPROVED || this == EXECUTING || this == VERIFYING;
    }

    public static Set<RunState> holding() {
        return EnumSet.of(AWAITING_APPROVAL, APPROVED, EXECUTING, VERIFYING);
    }
}
