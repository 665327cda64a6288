package dev.rewind.slack;

import dev.rewind.adapter.Revision;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.ServiceOverview;
import dev.rewind.config.Catalogue;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunView;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Texts for the informational commands: list, status, audit, unknown service. Pure. */
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
}
