package dev.rewind.rollback;


import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Finished elsewhere means closed here: when a rollback of a service succeeds (from any card, a policy or an
 * override), every other undecided card of that service (a dry run, one opened before the join rule, one a
 * second replica raced to open) loses its buttons and says what happened and where. A run that failed or was
 * interrupted changed nothing for sure, so the other cards stay open and only hear of it in their timeline.
 */
public final class OtherCardsClosing implements RunObserver {

    private final RunRepository runs;
    private final RunTimeline timeline;
    private final AuditLog audit;
    private final RunViews views;
    private final Clock clock;

    public OtherCardsClosing(RunRepository runs, RunTimeline timeline, AuditLog audit, RunViews views, Clock clock) {
        this.runs = runs;
        this.timeline = timeline;
        this.audit = audit;
        this.views = views;
        this.clock = clock;
    }

    @Override
    public void finished(RollbackRun run, String adapterType) {
        if (run.dryRun() || run.trigger() == Trigger.DRILL) {
            return;
        }
        String what = sentence(run);
        for (RollbackRun other : runs.openForService(run.service())) {
            if (other.id().equals(run.id()) || other.state() != RunState.ASSESSED) {
                continue;
            }
            Instant now = clock.instant();
            if (run.state() == RunState.SUCCEEDED) {
                if (runs.transition(other.id(), RunState.ASSESSED, RunState.ABORTED, Optional.of("Closed: " + what), now)) {
                    audit.record("rewind", "closed", Optional.of(other.id()), other.service(), "finished elsewhere: run " + run.id());
                    timeline.append(new RunEvent(other.id(), now, RunEvent.Kind.DISMISSED, "Closed: " + what));
                    views.refresh(other.id());
                }
            } else {
                timeline.append(new RunEvent(other.id(), now, RunEvent.Kind.NOTE, what));
                views.refresh(other.id());
            }
        }
    }

    /** "Rolled back to r3 by @carol in run rb-…, verified at 20:09 UTC", or what else became of it. */
    static String sentence(RollbackRun run) {
        String to = run.toLabel().map(label -> " to " + label).orElse("");
        String by = run.requestedBy().map(user -> " by " + Mentions.token(user)).orElse("");
        String at = run.finishedAt().map(RunOpenings.TIME::format).orElse("");
        return switch (run.state()) {
            case SUCCEEDED -> "Rolled back" + to + by + " in run " + run.id() + (at.isEmpty() ? "" : ", verified at " + at);
            case FAILED -> "Run " + run.id() + " (roll back" + to + by + ") failed" + (at.isEmpty() ? "" : " at " + at)
                    + ": this card is still open";
            case NOT_RECOVERED -> "Run " + run.id() + " rolled back" + to + by + ", but the service did not recover: "
                    + "this card is still open";
            default -> "Run " + run.id() + " (roll back" + to + by + ") was interrupted: this card is still open";
        };
    }
}
