package dev.rewind.slack;

/** Every Slack action and block id Rewind uses, in one place. */
public final class ActionIds {

    public static final String ROLL_BACK = "rewind.roll_back";
    public static final String PICK_REVISION = "rewind.pick_revision";
    public static final String APPROVE = "rewind.approve";
    public static final String BREAK_GLASS = "rewind.break_glass";
    public static final String OVERRIDE = "rewind.override";
    public static final String MONITOR = "rewind.monitor";
    public static final String DISMISS = "rewind.dismiss";
    public static final String DISMISS_WITH_REASON = "rewind.dismiss_with_reason";
    public static final String RETRY = "rewind.retry";
    public static final String CANCEL_AUTO = "rewind.cancel_auto";
    public static final String OPEN_REPORT = "rewind.open_report";
    /** Prefix of the follow-up buttons, {@code rewind.follow_up.<step>}: ids must differ within a block. */
    public static final String FOLLOW_UP = "rewind.follow_up";
    public static final java.util.regex.Pattern FOLLOW_UP_ANY = java.util.regex.Pattern.compile("^rewind\\.follow_up(\\.\\d+)?$");

    public static final String DISMISS_MODAL = "rewind.dismiss_modal";
    public static final String DISMISS_REASON_BLOCK = "rewind.dismiss_reason_block";
    public static final String DISMISS_REASON_INPUT = "rewind.dismiss_reason";

    public static final String ACTIONS_BLOCK = "rewind.actions";

    private ActionIds() {
    }

    /** A button value carrying a run id and, optionally, a revision: {@code rb-…|2}. */
    public static String value(String runId, String revision) {
        return revision == null || revision.isEmpty() ? runId : runId + "|" + revision;
    }

    public static String runId(String value) {
        int bar = value.indexOf('|');
        return bar < 0 ? value : value.substring(0, bar);
    }

    public static String revision(String value) {
        int bar = value.indexOf('|');
        return bar < 0 ? "" : value.substring(bar + 1);
    }
}
