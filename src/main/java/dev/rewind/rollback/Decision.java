package dev.rewind.rollback;

import java.util.List;

/** The answer to someone's click or command on a run, for the person who made it. */
public sealed interface Decision {

    /** The change is under way (or the run moved forward); the card says the rest. */
    record Accepted(String message) implements Decision {
    }

    /** Recorded; the clicker is told {@code message} privately because the card does not say it. */
    record Noted(String message) implements Decision {
    }

    /** Recorded, but more approvals are needed. */
    record AwaitingApproval(int have, int need, List<String> approvers) implements Decision {
    }

    /**
     * Nothing changed, and why. {@code whoMay} lists the user and group ids that could do it, so the
     * front end can name them.
     */
    record Refused(String reason, List<String> whoMay) implements Decision {
        public Refused(String reason) {
            this(reason, List.of());
        }
    }

    /**
     * Stopped by a guardrail (cooldown, attempt limit) that an approver may override; {@code runId} and
     * {@code revisionId} say what the override would go ahead with.
     */
    record Guarded(String reason, String runId, String revisionId) implements Decision {
    }

    /** Someone else got there first ("already being rolled back by …"). */
    record AlreadyHandled(String message) implements Decision {
    }
}
