package dev.rewind.rollback;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who may do what to a run's card, and who may read a service. Pure: a table of action × role
 * (× the run's state, for Dismiss). The roles a person holds come from {@link ApprovalPolicy#roles};
 * the state-changing use cases check this inside the conditional update that makes the change.
 */
public final class Permissions {

    private Permissions() {
    }

    /** Everything a person can do to a run or a service through Rewind. */
    public enum Action {
        ROLL_BACK("roll back"),
        OVERRIDE("override the guardrails of"),
        APPROVE("approve rollbacks of"),
        BREAK_GLASS("break glass on rollbacks of"),
        DISMISS("dismiss this card of"),
        MONITOR("ask for a later re-assessment of"),
        PICK_REVISION("choose the revision on this card of"),
        CANCEL_AUTO("cancel an automatic rollback of"),
        RETRY("retry a rollback of"),
        FOLLOW_UP("complete follow-ups of"),
        READ("read the status, audit trail and assessments of");

        private final String phrase;

        Action(String phrase) {
            this.phrase = phrase;
        }

        /** The verb phrase for "may …", followed by the service's name. */
        public String phrase() {
            return phrase;
        }
    }

    /**
     * How a person stands towards a service or a run.
     * APPROVER and REQUESTER come from the service's {@code approvers:} and {@code requesters:},
     * VIEWER from {@code viewers:}; RUN_REQUESTER is the person who asked for this run's rollback,
     * or who opened its card with {@code /rollback} while nobody has asked yet.
     */
    public enum Role {
        APPROVER, REQUESTER, VIEWER, RUN_REQUESTER
    }

    /** Whether someone holding {@code roles} may do {@code action} to a run in {@code state}. */
    public static boolean allows(Action action, Set<Role> roles, RunState state) {
        return roles.stream().anyMatch(allowed(action, state)::contains);
    }

    /** The roles that may do {@code action} to a run in {@code state} (for READ, any state). */
    public static Set<Role> allowed(Action action, RunState state) {
        return switch (action) {
            // Rolling back and retrying start a change: only those the service lets ask for one.
            case ROLL_BACK, RETRY -> EnumSet.of(Role.APPROVER, Role.REQUESTER);
            // Approving, going past a guardrail and post-incident changes are the approvers' alone.
            case OVERRIDE, APPROVE, BREAK_GLASS, FOLLOW_UP -> EnumSet.of(Role.APPROVER);
            // A pending request is someone's decision: only approvers may withdraw it, besides its requester.
            case DISMISS -> state == RunState.AWAITING_APPROVAL
                    ? EnumSet.of(Role.APPROVER, Role.RUN_REQUESTER)
                    : EnumSet.of(Role.APPROVER, Role.REQUESTER, Role.RUN_REQUESTER);
            // Steering a card nobody has decided on yet: whoever could decide, and whoever opened it.
            case MONITOR, PICK_REVISION, CANCEL_AUTO -> EnumSet.of(Role.APPROVER, Role.REQUESTER, Role.RUN_REQUESTER);
            // Reads start SSH/Kubernetes calls and show people's decisions: the service's own people.
            case READ -> EnumSet.of(Role.APPROVER, Role.REQUESTER, Role.VIEWER);
        };
    }
}
