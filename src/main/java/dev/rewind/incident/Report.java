package dev.rewind.incident;

import dev.rewind.adapter.Revision;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.ChangePreview;
import dev.rewind.assess.NumberText;
import dev.rewind.assess.SignalKind;
import dev.rewind.assess.SignalReading;
import dev.rewind.config.DurationText;
import dev.rewind.rollback.Approval;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunView;
import dev.rewind.rollback.SignalSample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The write-up of one run, as neutral sections that the Markdown and HTML renderers lay out: summary,
 * timeline with durations, metrics, what changed, impact, next steps and a post-mortem skeleton.
 */
public record Report(
        String runId,
        String title,
        String summary,
        List<Row> facts,
        List<TimelineRow> timeline,
        List<MetricRow> metrics,
        List<String> changes,
        List<String> nextSteps,
        List<RunEvent> log) {

    /** A labelled value ("Requested by" → "U0ALICE"). */
    public record Row(String label, String value) {
    }

    /** A milestone of the run, with the time since the previous milestone. */
    public record TimelineRow(Instant at, String milestone, String detail, Optional<Duration> sincePrevious) {
    }

    /** A signal before the deploy, at its worst while the run was open, and after the rollback. */
    public record MetricRow(String signal, String before, String worst, String after, String query) {
    }

    private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter
            .ofPattern("HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC);

    public static Report of(RunView view, Mentions mentions) {
        RollbackRun run = view.run();
        Optional<Assessment> assessment = run.assessment();
        String from = run.from().map(Report::revisionText).orElse("unknown");
        String to = run.to().map(Report::revisionText).orElse("not chosen");
        String title = "Rollback of " + run.service() + " (" + run.environment() + ") — " + run.id();

        List<Row> facts = new ArrayList<>();
        facts.add(new Row("State", run.state().name()));
        facts.add(new Row("Opened", run.createdAt() + " by " + opener(run, mentions)));
        if (!run.reason().isBlank()) {
            facts.add(new Row("Reason", run.reason()));
        }
        assessment.ifPresent(a -> facts.add(new Row("Tier", a.tier().name() + " — " + String.join("; ", a.verdict().reasons()))));
        run.requestedBy().ifPresent(user -> facts.add(new Row("Rollback requested by", mentions.user(user))));
        facts.add(new Row("Approved by", view.approvals().isEmpty() ? "nobody"
                : String.join(", ", view.approvals().stream().map(a -> approval(a, mentions)).toList())));
        facts.add(new Row("Changed", from + " → " + to));
        run.elapsed(run.finishedAt().orElse(Instant.now())).ifPresent(d -> facts.add(new Row("Duration", DurationText.format(d))));
        run.outcome().ifPresent(outcome -> facts.add(new Row("Outcome", mentions.expand(outcome))));
        if (run.dryRun()) {
            facts.add(new Row("Dry run", "yes: nothing was changed"));
        }

        List<String> changes = new ArrayList<>();
        if (run.from().isPresent() && run.to().isPresent()) {
            ChangePreview.between(run.from().get(), run.to().get()).forEach(c -> changes.add(c.describe()));
        }
        List<RunEvent> events = view.events().stream().map(e -> new RunEvent(e.runId(), e.at(), e.kind(),
                mentions.expand(e.message()))).toList();
        facts.add(new Row("Impact window", impact(run, events)));
        return new Report(run.id(), title, mentions.expand(summary(run, from, to)), facts, timeline(events),
                metrics(assessment, view.samples()), changes, nextSteps(view), events);
    }

    private static String summary(RollbackRun run, String from, String to) {
        String elapsed = run.elapsed(run.finishedAt().orElse(Instant.now())).map(DurationText::format).orElse("");
        return switch (run.state()) {
            case SUCCEEDED -> run.service() + " was rolled back from " + from + " to " + to + " in " + elapsed
                    + " and has recovered.";
            case FAILED -> "The rollback of " + run.service() + " from " + from + " to " + to + " failed"
                    + (elapsed.isEmpty() ? "" : " after " + elapsed) + ": " + run.outcome().orElse("no reason recorded") + ".";
            case NOT_RECOVERED -> run.service() + " was rolled back from " + from + " to " + to + ", but did not recover: "
                    + run.outcome().orElse("") + ". The change was kept; the deploy may not be the cause.";
            case ABORTED -> "No rollback of " + run.service() + " was made: " + run.outcome().orElse("dismissed") + ".";
            case INTERRUPTED -> "The rollback of " + run.service() + " was interrupted: " + run.outcome().orElse("")
                    + ". Check the target by hand.";
            default -> "The rollback of " + run.service() + " from " + from + " to " + to + " is "
                    + run.state().name().toLowerCase().replace('_', ' ') + ".";
        };
    }

    private static List<TimelineRow> timeline(List<RunEvent> events) {
        List<TimelineRow> rows = new ArrayList<>();
        Instant previous = null;
        for (RunEvent event : events) {
            String milestone = switch (event.kind()) {
                case DETECTED -> "Detected";
                case ASSESSED -> "Assessed";
                case REQUESTED -> "Rollback requested";
                case APPROVED -> "Approved";
                case STARTED -> "Started";
                case TRAFFIC_RESTORED -> "Traffic back on the old version";
                case STABLE -> "Stable";
                case FAILED -> "Failed";
                case DISMISSED -> "Dismissed";
                default -> null;
            };
            if (milestone == null) {
                continue;
            }
            Instant at = event.at();
            rows.add(new TimelineRow(at, milestone, event.message(),
                    previous == null ? Optional.empty() : Optional.of(Duration.between(previous, at))));
            previous = at;
        }
        return rows;
    }

    private static List<MetricRow> metrics(Optional<Assessment> assessment, List<SignalSample> samples) {
        List<MetricRow> rows = new ArrayList<>();
        if (assessment.isEmpty()) {
            return rows;
        }
        for (SignalReading reading : assessment.get().signals()) {
            SignalKind kind = reading.kind();
            List<SignalSample> mine = samples.stream().filter(s -> s.signal().equals(reading.name())).toList();
            String before = mine.stream().filter(s -> s.phase().equals(SignalSample.BASELINE)).findFirst()
                    .map(s -> NumberText.of(kind, s.value()) + " (" + reading.baselineBasis() + ")")
                    .orElse(reading.baseline().describe());
            String worst = mine.stream().filter(s -> s.phase().equals(SignalSample.ASSESSED))
                    .max(Comparator.comparingDouble(SignalSample::value))
                    .map(s -> NumberText.of(kind, s.value()) + " at " + TIME.format(s.at())).orElse(reading.now().describe());
            String after = mine.stream().filter(s -> s.phase().equals(SignalSample.VERIFY)).reduce((a, b) -> b)
                    .map(s -> NumberText.of(kind, s.value())).orElse("—");
            rows.add(new MetricRow(reading.name(), before, worst, after, reading.query()));
        }
        return rows;
    }

    /** From detection to stable (or to the end, or to now while it lasts). */
    private static String impact(RollbackRun run, List<RunEvent> events) {
        Instant start = events.stream().filter(e -> e.kind() == RunEvent.Kind.DETECTED).map(RunEvent::at).findFirst()
                .orElse(run.createdAt());
        Optional<Instant> stable = events.stream().filter(e -> e.kind() == RunEvent.Kind.STABLE).map(RunEvent::at).findFirst();
        Instant end = stable.or(run::finishedAt).orElse(Instant.now());
        return TIME.format(start) + " → " + TIME.format(end) + " (" + DurationText.format(Duration.between(start, end))
                + (stable.isPresent() ? ", until recovery was verified" : run.state().isFinal() ? ", until the run ended"
                : ", still open") + ")";
    }

    private static List<String> nextSteps(RunView view) {
        RollbackRun run = view.run();
        List<String> steps = new ArrayList<>();
        view.followUps().stream().filter(task -> task.done().isEmpty())
                .forEach(task -> steps.add(task.description() + " (\"" + task.action() + "\" on the card)"));
        if (run.state() == RunState.SUCCEEDED) {
            steps.add("Keep the bad revision from being redeployed (pin the version, revert the commit or fix forward).");
            steps.add("Find the root cause before the next deploy; fill in the post-mortem below.");
        } else if (run.state() == RunState.FAILED || run.state() == RunState.INTERRUPTED) {
            steps.add("Check the target by hand: the change may be partly applied.");
            steps.add("If the numbers did not recover, look beyond the deploy: dependencies, traffic, data.");
            steps.add("Retry from the card once the cause of the failure is understood.");
        } else if (run.state() == RunState.NOT_RECOVERED) {
            steps.add("Look beyond the deploy: what else changed in the window (other services' deploys, config, "
                    + "dependencies, traffic, data).");
            steps.add("Roll back further only if an older revision is the suspect: Retry on the card offers them.");
        } else if (run.state() == RunState.ABORTED) {
            steps.add("Keep watching the service; run /rollback " + run.service() + " again if it degrades.");
        }
        return steps;
    }

    private static String revisionText(Revision revision) {
        return revision.label() + " (" + revision.imagesText() + ")";
    }

    private static String opener(RollbackRun run, Mentions mentions) {
        return switch (run.trigger()) {
            case COMMAND -> mentions.user(run.askedBy()) + " with /rollback";
            case ALERT -> "an alert (" + run.askedBy() + ")";
            case POLICY -> "the automatic-rollback policy";
            case GUARD -> "the deploy guard";
            case DRILL -> "a drill (" + mentions.user(run.askedBy()) + ")";
        };
    }

    private static String approval(Approval approval, Mentions mentions) {
        return mentions.user(approval.userId()) + " at " + approval.at() + (approval.breakGlass() ? " (break-glass)" : "");
    }
}
