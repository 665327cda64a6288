package dev.rewind.slack;

import dev.rewind.readiness.ReadinessCheck;
import dev.rewind.readiness.ReadinessReport;

import java.util.Map;

/** {@code /rollback ready <service>} as a private message: the verdict first, then one line per check. */
final class ReadinessText {

    private static final Map<ReadinessCheck.Status, String> MARKS = Map.of(
            ReadinessCheck.Status.OK, ":white_check_mark:",
            ReadinessCheck.Status.WARNING, ":warning:",
            ReadinessCheck.Status.FAILED, ":x:",
            ReadinessCheck.Status.UNKNOWN, ":grey_question:");

    private ReadinessText() {
    }

    static String of(ReadinessReport report) {
        StringBuilder text = new StringBuilder();
        long failed = report.count(ReadinessCheck.Status.FAILED);
        text.append(report.ready() ? ":white_check_mark: *" + SlackText.escape(report.service()) + "* can be rolled back"
                : ":x: *" + SlackText.escape(report.service()) + "* is not ready to roll back: " + failed + " problem"
                + (failed == 1 ? "" : "s"));
        long unknown = report.count(ReadinessCheck.Status.UNKNOWN);
        if (unknown > 0) {
            text.append(" (").append(unknown).append(" could not be checked)");
        }
        for (ReadinessCheck check : report.checks()) {
            text.append('\n').append(MARKS.get(check.status())).append(" *").append(SlackText.escape(check.name()))
                    .append("*: ").append(SlackText.escape(check.detail()));
            check.fix().ifPresent(fix -> text.append("\n      ↳ Fix: ").append(SlackText.escape(fix)));
        }
        return text.toString();
    }
}
