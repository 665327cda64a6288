package dev.rewind.slack;

import dev.rewind.drill.Drill;
import dev.rewind.drill.DrillState;
import dev.rewind.drill.Drills;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The answers of {@code /rollback drill} and {@code /rollback drills}. */
final class DrillText {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private DrillText() {
    }

    static String started(Drills.Started started, String service) {
        if (started instanceof Drills.Started.Accepted accepted) {
            Drill drill = accepted.drill();
            return ":test_tube: Drill `" + drill.id() + "` of *" + SlackText.escape(service) + "* started: its card (marked DRILL) "
                    + "is in <#" + accepted.run().card().map(c -> c.channel()).orElse("") + ">. After the rollback is verified, "
                    + "Rewind restores " + SlackText.escape(drill.fromLabel()) + " and posts the drill report there.";
        }
        return ":no_entry: No drill of *" + SlackText.escape(service) + "*: "
                + SlackText.escape(((Drills.Started.Refused) started).reason());
    }

    static String latest(List<Drill> drills, Optional<String> service) {
        if (drills.isEmpty()) {
            return "No drills yet" + service.map(s -> " of *" + SlackText.escape(s) + "*").orElse("")
                    + ". Start one with `/rollback drill " + service.orElse("<service>") + "`.";
        }
        StringBuilder text = new StringBuilder("*Latest drills*" + service.map(s -> " of " + SlackText.escape(s)).orElse("")
                + " (newest first)");
        for (Drill drill : drills) {
            text.append("\n• ").append(icon(drill.state())).append(" *").append(SlackText.escape(drill.service())).append("* · ")
                    .append(drill.state().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" · ")
                    .append(WHEN.format(drill.startedAt()))
                    .append(drill.recovery().map(s -> " · recovery " + (s / 60 > 0 ? s / 60 + "m " : "") + s % 60 + "s").orElse(""))
                    .append(" · `").append(drill.id()).append("` · ").append(drill.source());
            drill.report().flatMap(DrillText::verdicts).ifPresent(line -> text.append("\n      ").append(line));
        }
        return text.toString();
    }

    /** The report's verdict lines (recovery, decision, slowest), shortened to one line. */
    private static Optional<String> verdicts(String report) {
        List<String> lines = report.lines().skip(1).filter(l -> !l.startsWith("Times from")).toList();
        return lines.isEmpty() ? Optional.empty() : Optional.of(SlackText.escape(SlackText.clip(String.join(" · ", lines), 400)));
    }

    private static String icon(DrillState state) {
        return switch (state) {
            case PASSED -> ":white_check_mark:";
            case FAILED -> ":x:";
            case STOPPED -> ":double_vertical_bar:";
            case RESTORE_FAILED -> ":rotating_light:";
            case ROLLING_BACK, RESTORING -> ":hourglass_flowing_sand:";
        };
    }
}
