package dev.rewind.rollback;

import dev.rewind.config.ServiceConfig;

import java.util.List;
import java.util.Optional;

/**
 * Who may do what to a run or read a service, answered for a person, with the refusal that names who
 * may (audited). The table itself is {@link Permissions}; roles come from {@link ApprovalPolicy}.
 */
public final class RunAccess {

    private final ApprovalPolicy policy;
    private final AuditLog audit;

    public RunAccess(ApprovalPolicy policy, AuditLog audit) {
        this.policy = policy;
        this.audit = audit;
    }

    /**
     * Whether {@code userId} may read {@code service} (its status, audit trail, a fresh assessment):
     * empty when they may, else the refusal naming who may. A refusal is audited.
     */
    public Optional<Decision.Refused> refuseRead(String userId, ServiceConfig service, String what) {
        if (mayRead(userId, service)) {
            return Optional.empty();
        }
        audit.record(userId, "refused", Optional.empty(), service.name(), "may not " + what);
        return Optional.of(new Decision.Refused("You may not " + what + ". " + ApprovalPolicy.whoMay(
                Permissions.Action.READ, RunState.ASSESSED, service.name(), service.approval(), Optional.empty())));
    }

    /** Whether {@code userId} may read {@code service}; may look up user-group membership. */
    public boolean mayRead(String userId, ServiceConfig service) {
        return Permissions.allows(Permissions.Action.READ, policy.roles(userId, service.approval(), Optional.empty()),
                RunState.ASSESSED);
    }

    /** Whether {@code userId} may read {@code service} by their own id alone: answered without any I/O. */
    public boolean mayReadByName(String userId, ServiceConfig service) {
        return policy.readerByName(userId, service.approval());
    }

    /** Whether {@code userId} holds a role that may do {@code action} to {@code run} in its current state. */
    public boolean allows(Permissions.Action action, String userId, RollbackRun run, ServiceConfig config) {
        return Permissions.allows(action, policy.roles(userId, config.approval(), opener(run)), run.state());
    }

    /**
     * The person a run belongs to: who asked for its rollback, else who opened its card with a command
     * (an alert or a policy is nobody's).
     */
    static Optional<String> opener(RollbackRun run) {
        return run.requestedBy().or(() -> run.trigger() == Trigger.COMMAND ? Optional.of(run.askedBy()) : Optional.empty());
    }

    public Decision refuseRole(Permissions.Action action, RollbackRun run, String userId, ServiceConfig config) {
        String who = ApprovalPolicy.whoMay(action, run.state(), run.service(), config.approval(), opener(run));
        audit.record(userId, "refused", Optional.of(run.id()), run.service(), "may not " + action.phrase() + " "
                + run.service() + " (" + run.state() + ")");
        return new Decision.Refused(who);
    }

    /** The answer to an action on a run whose state moved on: what happened to it instead. */
    static Decision alreadyHandled(RollbackRun run) {
        String who = Mentions.token(run.requestedBy().orElse(run.askedBy()));
        String message = switch (run.state()) {
            case AWAITING_APPROVAL -> run.service() + " rollback was already requested by " + who + " and awaits approval";
            case APPROVED, EXECUTING, VERIFYING -> run.service() + " is already being rolled back by " + who;
            case SUCCEEDED -> run.service() + " was already rolled back (requested by " + who + ")";
            case FAILED -> "this rollback already ran and failed: " + run.outcome().orElse("");
            case NOT_RECOVERED -> "this rollback ran, but the service did not recover: " + run.outcome().orElse("");
            case ABORTED -> "this card is closed: " + run.outcome().orElse("dismissed");
            case INTERRUPTED -> "this rollback was interrupted: " + run.outcome().orElse("");
            case ASSESSED -> "nothing has been decided on this card yet";
        };
        return new Decision.AlreadyHandled(message);
    }

    Decision refuse(RollbackRun run, String userId, String reason, List<String> whoMay) {
        audit.record(userId, "refused", Optional.of(run.id()), run.service(), reason);
        String sentence = reason.startsWith("may ") || reason.startsWith("asked ") ? "You " + reason : reason;
        return new Decision.Refused(capitalise(sentence) + ".", whoMay);
    }

    private static String capitalise(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
