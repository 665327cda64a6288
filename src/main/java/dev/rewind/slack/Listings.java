package dev.rewind.slack;

import dev.rewind.adapter.Revision;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.ServiceOverview;
import dev.rewind.assess.Tier;
import dev.rewind.config.Catalogue;
import dev.rewind.config.DurationText;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunView;
import dev.rewind.stats.StatsReport;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Texts for the informational commands: list, status, audit, stats, unknown service. Pure. */
final class Listings {

    static final int AUDIT_LINES = 15;

    private Listings() {
    }

    static String services(List<ServiceOverview.Line> lines) {
        if (lines.isEmpty()) {
            return "No services are configured. Add them to rewind.yml (see rewind.example.yml).";
        }
        StringBuilder text = new StringBuilder("*Services Rewind can roll back*");
        for (ServiceOverview.Line line : lines) {
            text.append("\n• *").append(SlackText.escape(line.service().name())).append("* (")
                    .append(SlackText.escape(line.service().environment())).append(") — ")
                    .append(SlackText.escape(line.target().description())).append(": ");
            if (line.target().state().isPresent()) {
                Revision current = line.target().state().get().current();
                text.append(SlackText.escape(current.label())).append(" · ")
                        .append(current.images().stream().map(SlackText::code).collect(Collectors.joining(", ")));
            } else {
                text.append(":warning: ").append(SlackText.escape(line.target().error().orElse("unreadable")));
            }
        }
        return SlackText.clip(text.toString(), SlackText.MESSAGE_TEXT);
    }

    static String unknownService(String typed, Catalogue catalogue) {
        if (catalogue.services().isEmpty()) {
            return ":warning: No services are configured, so there is nothing to roll back. "
                    + "Add services to rewind.yml (see rewind.example.yml in the Rewind repository).";
        }
        List<String> closest = catalogue.closest(typed, 3);
        return ":warning: No service named " + SlackText.code(typed) + ". Did you mean "
                + closest.stream().map(SlackText::code).collect(Collectors.joining(", "))
                + "? `/rollback list` shows them all.";
    }

    static String status(String service, Optional<RunView> latest, Mentions mentions, Instant now) {
        if (latest.isEmpty()) {
            return "No assessment or rollback of *" + SlackText.escape(service) + "* yet. `/rollback "
                    + SlackText.escape(service) + "` assesses it now.";
        }
        RollbackRun run = latest.get().run();
        StringBuilder text = new StringBuilder("*" + SlackText.escape(service) + "*: latest run `" + run.id() + "` — "
                + run.state().name().toLowerCase().replace('_', ' ') + " (opened " + SlackText.age(run.createdAt(), now) + ")");
        run.assessment().ifPresent(a -> {
            text.append("\nTier ").append(a.tier().name()).append(": ")
                    .append(SlackText.escape(String.join("; ", a.verdict().reasons())));
            a.current().ifPresent(c -> text.append("\nCurrent ").append(SlackText.escape(c.label())).append(" · ")
                    .append(SlackText.escape(c.imagesText())));
        });
        run.to().ifPresent(to -> text.append("\nRollback to ").append(SlackText.escape(to.label())));
        run.requestedBy().ifPresent(r -> text.append(" requested by ").append(mentions.user(r)));
        run.outcome().ifPresent(o -> text.append("\n").append(mentions.expand(SlackText.escape(o))));
        latest.get().followUps().stream().filter(task -> task.done().isEmpty()).forEach(task -> text
                .append("\n:hourglass: Follow-up open (\"").append(SlackText.escape(task.action())).append("\" on the card of run `")
                .append(task.runId()).append("`): ").append(SlackText.escape(task.description())));
        return SlackText.clip(text.toString(), SlackText.MESSAGE_TEXT);
    }

    static String audit(AuditLog.ChainCheck check, List<AuditLog.Entry> entries, Mentions mentions) {
        StringBuilder text = new StringBuilder(check.intact()
                ? ":white_check_mark: Audit trail intact (" + check.entries() + " entries)."
                : ":rotating_light: *Audit trail broken*: " + SlackText.escape(check.detail()));
        if (entries.isEmpty()) {
            text.append("\nNo entries yet.");
        }
        for (AuditLog.Entry entry : entries) {
            text.append("\n").append(SlackText.time(entry.at())).append(" ").append(mentions.any(entry.actor()))
                    .append(" *").append(SlackText.escape(entry.action())).append("* ")
                    .append(SlackText.escape(entry.service()))
                    .append(entry.runId().map(id -> " `" + id + "`").orElse(""))
                    .append(entry.detail().isBlank() ? "" : " — " + SlackText.escape(SlackText.clip(entry.detail(), 150)));
        }
        return SlackText.clip(text.toString(), SlackText.MESSAGE_TEXT);
    }

    /** {@code /rollback audit} (every service) asked by someone who may read only {@code readable} of them. */
    static String auditRefused(List<dev.rewind.config.ServiceConfig> readable) {
        String yours = readable.isEmpty() ? " You may read none: ask to be added to a service's `requesters`, "
                + "`approvers` or `viewers` in rewind.yml."
                : " Ask for the ones you may read: " + readable.stream().map(s -> SlackText.code("/rollback audit "
                + s.name())).collect(Collectors.joining(", ")) + ".";
        return SlackText.clip(":no_entry: The whole audit trail is for those who may read every service; a service's "
                + "trail is for its requesters, approvers and viewers." + yours + " Nothing was shown.", SlackText.MESSAGE_TEXT);
    }

    static Optional<String> revisionNote(Optional<String> asked, RollbackRun run) {
        if (asked.isEmpty() || run.assessment().flatMap(Assessment::primary).isEmpty()) {
            return Optional.empty();
        }
        var state = run.assessment().flatMap(Assessment::primary).get();
        if (state.candidate(asked.get()).isPresent()) {
            return Optional.empty();
        }
        String available = state.candidates().stream().map(Revision::label).collect(Collectors.joining(", "));
        return Optional.of(":warning: Revision r" + SlackText.escape(asked.get()) + " is not in the history of "
                + SlackText.escape(state.target()) + (available.isEmpty() ? " (no earlier revisions)" : " (available: "
                + available + ")") + "; the card offers " + state.previous().map(Revision::label).orElse("nothing") + " instead.");
    }

    /** {@code /rollback stats}: the playbook's figures, each against its target, in a few lines. */
    static String stats(StatsReport report) {
        StringBuilder text = new StringBuilder("*Rollback stats — " + report.service().map(SlackText::escape)
                .orElse("all services") + ", last " + report.window().text() + "*");
        int ended = report.outcomes().values().stream().mapToInt(Integer::intValue).sum();
        text.append("\nRollbacks: ").append(ended == 0 ? "none ended" : report.outcomes().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                .collect(Collectors.joining(" · ")));
        if (report.open() > 0) {
            text.append(" (").append(report.open()).append(" still open)");
        }
        if (report.dryRuns() > 0) {
            text.append("; ").append(report.dryRuns()).append(" dry run(s), counted apart");
        }
        StatsReport.Success success = report.success();
        text.append("\nSuccess rate: ").append(success.rate().map(rate -> percent(rate) + " (" + success.succeeded()
                + " of " + success.finished() + " that changed something) " + mark(success.met().orElseThrow()))
                .orElse("no rollback changed anything yet")).append(" — target ≥ ").append(percent(success.target()));
        StatsReport.Recovery recovery = report.recovery();
        text.append("\nTime to recovery (detection → verified): ").append(recovery.p50().map(p50 -> "p50 "
                + DurationText.format(p50) + " · p90 " + DurationText.format(recovery.p90().orElseThrow()) + " over "
                + recovery.recovered() + " recover" + (recovery.recovered() == 1 ? "y " : "ies ")
                + mark(recovery.met().orElseThrow())).orElse("no recovery yet"))
                .append(" — target p90 ≤ ").append(DurationText.format(recovery.target()));
        StatsReport.Automation automation = report.automation();
        text.append("\nTriggered automatically: ").append(automation.share().map(share -> percent(share) + " ("
                + automation.automatic() + " of " + automation.total() + " rollbacks started by a policy)")
                .orElse("no rollback started"));
        text.append("\nTime to decision:");
        for (Map.Entry<Tier, StatsReport.Decisions> e : report.decisions().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            StatsReport.Decisions d = e.getValue();
            text.append("\n• ").append(e.getKey().name()).append(" (deadline ").append(DurationText.format(d.deadline()))
                    .append("): ").append(d.p50().map(p50 -> "p50 " + DurationText.format(p50) + " · p90 "
                            + DurationText.format(d.p90().orElseThrow()) + ", " + d.decided() + " decided, "
                            + (d.late() == 0 ? "none late :white_check_mark:" : d.late() + " late :x:"))
                            .orElse("no decisions"));
        }
        report.slowestStep().ifPresent(step -> text.append("\nSlowest step: ").append(SlackText.code(step.step()))
                .append(" (p50 ").append(DurationText.format(step.p50())).append(" over ").append(step.runs())
                .append(step.runs() == 1 ? " run)" : " runs)"));
        return SlackText.clip(text.toString(), SlackText.MESSAGE_TEXT);
    }

    /** {@code /rollback stats} (every service) asked by someone who may read only {@code readable} of them. */
    static String statsRefused(List<dev.rewind.config.ServiceConfig> readable) {
        String yours = readable.isEmpty() ? " You may read none: ask to be added to a service's `requesters`, "
                + "`approvers` or `viewers` in rewind.yml."
                : " Ask for the ones you may read: " + readable.stream().map(s -> SlackText.code("/rollback stats "
                + s.name())).collect(Collectors.joining(", ")) + ".";
        return SlackText.clip(":no_entry: Stats over every service are for those who may read every service; a "
                + "service's stats are for its requesters, approvers and viewers." + yours + " Nothing was shown.",
                SlackText.MESSAGE_TEXT);
    }

    private static String percent(double share) {
        double value = share * 100;
        return (value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value)) + "%";
    }

    private static String mark(boolean met) {
        return met ? ":white_check_mark:" : ":x:";
    }
}
