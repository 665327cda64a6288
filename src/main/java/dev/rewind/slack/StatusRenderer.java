package dev.rewind.slack;

import dev.rewind.adapter.Revision;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunView;

import java.time.Instant;
import java.util.stream.Collectors;

/** The incident channel's status message and topic: what is happening now, in one glance. Pure. */
final class StatusRenderer {

    private final Mentions mentions;

    StatusRenderer(Mentions mentions) {
        this.mentions = mentions;
    }

    String status(RunView view, Instant now) {
        RollbackRun run = view.run();
        String from = run.from().map(Revision::label).orElse("?");
        String to = run.to().map(Revision::label).orElse("?");
        String step = view.events().stream().reduce((a, b) -> b).map(RunEvent::message).orElse("");
        StringBuilder text = new StringBuilder();
        text.append(icon(run)).append(" *").append(SlackText.escape(run.service())).append("* (")
                .append(SlackText.escape(run.environment())).append(") rollback ").append(from).append(" → ").append(to)
                .append(" · *").append(run.state().name().replace('_', ' ')).append("*");
        run.elapsed(now).ifPresent(d -> text.append(" · ").append(SlackText.duration(d)));
        if (!step.isEmpty()) {
            text.append("\n*Now:* ").append(mentions.expand(SlackText.escape(SlackText.clip(step, 1_000))));
        }
        run.requestedBy().ifPresent(r -> text.append("\nRequested by ").append(mentions.user(r)));
        if (!view.approvals().isEmpty()) {
            text.append(" · approved by ").append(view.approvals().stream().map(a -> mentions.user(a.userId()))
                    .collect(Collectors.joining(", ")));
        }
        run.card().ifPresent(card -> text.append("\nCard in <#").append(card.channel()).append(">"));
        view.reportUrl().ifPresent(url -> text.append(" · ").append(SlackText.link(url, "Report")));
        text.append("\nTimeline in the thread below.");
        return SlackText.clip(text.toString(), SlackText.SECTION_TEXT);
    }

    String topic(RunView view) {
        RollbackRun run = view.run();
        return SlackText.clip(run.service() + " rollback " + run.from().map(Revision::label).orElse("?") + " → "
                + run.to().map(Revision::label).orElse("?") + ": " + run.state().name().replace('_', ' ').toLowerCase()
                + " · run " + run.id(), 250);
    }

    private static String icon(RollbackRun run) {
        return switch (run.state()) {
            case SUCCEEDED -> ":white_check_mark:";
            case FAILED, INTERRUPTED -> ":x:";
            case NOT_RECOVERED -> ":rotating_light:";
            case ABORTED -> ":no_entry_sign:";
            case VERIFYING -> ":stethoscope:";
            default -> ":hourglass_flowing_sand:";
        };
    }
}
