package dev.rewind.rollback;

import java.util.ArrayList;
import java.util.List;

/**
 * Which actions a run offers now, whoever looks at it: a front end draws one control for each, in
 * this order, and decides nothing itself. Who may then use a control is {@link Permissions}' business.
 * Pure.
 */
public final class Offers {

    private Offers() {
    }

    /**
     * @param revisionToGoTo whether the card has a revision to roll back to (no revision: nothing to
     *                       roll back to or pick, only to wait or dismiss)
     */
    public static List<Permissions.Action> of(RunView view, boolean revisionToGoTo) {
        RollbackRun run = view.run();
        List<Permissions.Action> offered = new ArrayList<>();
        switch (run.state()) {
            case ASSESSED -> {
                if (run.autoAt().isPresent()) {
                    offered.add(Permissions.Action.CANCEL_AUTO);
                }
                if (revisionToGoTo) {
                    offered.add(Permissions.Action.ROLL_BACK);
                    offered.add(Permissions.Action.PICK_REVISION);
                }
                offered.add(Permissions.Action.MONITOR);
                offered.add(Permissions.Action.DISMISS);
            }
            case AWAITING_APPROVAL -> {
                offered.add(Permissions.Action.APPROVE);
                if (view.standing().breakGlassAllowed()) {
                    offered.add(Permissions.Action.BREAK_GLASS);
                }
                offered.add(Permissions.Action.DISMISS);
            }
            // After NOT_RECOVERED, a fresh assessment starts from the revision now live: its picker offers the
            // older ones, so Retry is how to roll back further.
            case FAILED, INTERRUPTED, NOT_RECOVERED -> offered.add(Permissions.Action.RETRY);
            default -> {
            }
        }
        if (run.state().isFinal() && !openFollowUps(view, 1).isEmpty()) {
            offered.add(Permissions.Action.FOLLOW_UP);
        }
        return offered;
    }

    /** The follow-ups not done yet, at most {@code max} of them (a card offers a few, one after another). */
    public static List<FollowUpTask> openFollowUps(RunView view, int max) {
        return view.followUps().stream().filter(task -> task.done().isEmpty()).limit(max).toList();
    }
}
