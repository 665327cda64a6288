package dev.rewind.slack;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.composition.OptionObject;
import com.slack.api.model.block.element.BlockElement;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.ChangePreview;
import dev.rewind.assess.ChoiceWarnings;
import dev.rewind.assess.SignalReading;
import dev.rewind.assess.Tier;
import dev.rewind.assess.TierPolicy;
import dev.rewind.assess.TargetView;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.AlertDigest;
import dev.rewind.rollback.FollowUpTask;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Permissions;
import dev.rewind.rollback.Offers;
import dev.rewind.rollback.RunView;
import dev.rewind.signals.Reading;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static com.slack.api.model.block.Blocks.actions;
import static com.slack.api.model.block.Blocks.context;
import static com.slack.api.model.block.Blocks.divider;
import static com.slack.api.model.block.Blocks.header;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.confirmationDialog;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.option;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;
import static com.slack.api.model.block.element.BlockElements.overflowMenu;
import static com.slack.api.model.block.element.BlockElements.staticSelect;

/**
 * Draws a run as a Block Kit card: what is wrong (the numbers and the tier), what a rollback would
 * change, and what can be done now. Pure: the same view gives the same card. Every text is clipped
 * to Slack's limits and the block count stays under 50 whatever the input.
 *
 * <p>Longer than most classes on purpose: one card in every state is drawn in one place, so the Block Kit
 * limits (50 blocks, 3000-character sections, 75-character buttons) are enforced and tested once.
 */
public final class CardRenderer {

    /** Changes listed on the card before "and N more". */
    static final int PREVIEW_LINES = 12;
    /** Timeline lines shown while a run is in progress. */
    static final int RECENT_STEPS = 5;
    /** Follow-up buttons on one card; more are listed but done one after another. */
    static final int FOLLOW_UP_BUTTONS = 3;

    private final Mentions mentions;

    public CardRenderer(Mentions mentions) {
        this.mentions = mentions;
    }

    /** The revision offered is the run's picked one ({@code toRevision}), else the previous revision. */
    public Card render(RunView view, Instant now) {
        RollbackRun run = view.run();
        List<LayoutBlock> blocks = new ArrayList<>();
        Optional<Assessment> assessment = run.assessment();
        Tier tier = assessment.map(Assessment::tier).orElse(Tier.UNKNOWN);
        blocks.add(header(h -> h.text(plainText(SlackText.clip(headline(run, tier), SlackText.HEADER_TEXT)))));
        blocks.add(section(s -> s.text(markdownText(SlackText.clip(status(view, now) + room(view) + alerts(view, now)
                + policy(view, now) + displaced(view), SlackText.SECTION_TEXT)))));
        if (assessment.isEmpty()) {
            blocks.add(context(c -> c.elements(List.of(markdownText("Assessing…")))));
        } else {
            Assessment a = assessment.get();
            Optional<Revision> target = chosen(run, a);
            for (TargetView targetView : a.targets()) {
                blocks.add(section(s -> s.text(markdownText(SlackText.clip(revisions(targetView, now,
                        targetView == a.targets().get(0) ? target : targetView.state().flatMap(TargetState::previous)),
                        SlackText.SECTION_TEXT)))));
                if (blocks.size() > 8) {
                    break;
                }
            }
            blocks.add(section(s -> s.text(markdownText(SlackText.clip(signals(a), SlackText.SECTION_TEXT)))));
            if (!a.verdict().reasons().isEmpty()) {
                blocks.add(context(c -> c.elements(List.of(markdownText(SlackText.clip(
                        SlackText.escape(String.join(" · ", a.verdict().reasons())), SlackText.CONTEXT_TEXT))))));
            }
            a.current().ifPresent(current -> target.ifPresent(to -> blocks.add(section(s -> s.text(markdownText(
                    SlackText.clip(preview(current, to), SlackText.SECTION_TEXT)))))));
            List<String> warnings = new ArrayList<>(a.targets().stream().flatMap(t -> t.state().stream())
                    .flatMap(state -> state.warnings().stream()).toList());
            a.primary().ifPresent(primary -> warnings.addAll(ChoiceWarnings.of(primary, target)));
            if (!warnings.isEmpty()) {
                blocks.add(section(s -> s.text(markdownText(SlackText.clip(warnings.stream()
                        .map(w -> ":warning: " + SlackText.escape(w)).collect(Collectors.joining("\n")),
                        SlackText.SECTION_TEXT)))));
            }
            if (run.state().holdsTarget() || run.state().isFinal()) {
                timeline(view).ifPresent(text -> blocks.add(context(c -> c.elements(List.of(markdownText(text))))));
            }
            afterTheIncident(view).ifPresent(text -> blocks.add(section(s -> s.text(markdownText(text)))));
            List<BlockElement> buttons = buttons(view, a, target);
            if (!buttons.isEmpty()) {
                blocks.add(actions(b -> b.blockId(ActionIds.ACTIONS_BLOCK).elements(buttons)));
            }
        }
        blocks.add(context(c -> c.elements(List.of(markdownText(SlackText.clip(footer(view), SlackText.CONTEXT_TEXT))))));
        return new Card(SlackText.clip(notification(run, tier), SlackText.MESSAGE_TEXT), blocks);
    }

    private static String headline(RollbackRun run, Tier tier) {
        String prefix = run.dryRun() ? "[dry run] " : "";
        return prefix + run.service() + " (" + run.environment() + ") · " + tier.name() + ": " + tier.advice();
    }

    private String notification(RollbackRun run, Tier tier) {
        String state = switch (run.state()) {
            case ASSESSED -> "tier " + tier.name() + ". Roll back?";
            case AWAITING_APPROVAL -> "rollback awaiting approval";
            case APPROVED, EXECUTING -> "rolling back";
            case VERIFYING -> "rolled back, verifying recovery";
            case SUCCEEDED -> "rolled back";
            case FAILED -> "rollback failed";
            case NOT_RECOVERED -> "rolled back, NOT recovered";
            case ABORTED -> "dismissed";
            case INTERRUPTED -> "rollback interrupted";
        };
        return run.service() + " (" + run.environment() + "): " + state;
    }

    private String status(RunView view, Instant now) {
        RollbackRun run = view.run();
        String to = run.to().map(Revision::label).orElse(run.toRevision().map(r -> "r" + r).orElse("?"));
        String requester = run.requestedBy().map(mentions::user).orElse("?");
        String elapsed = run.elapsed(now).map(SlackText::duration).orElse("");
        String report = view.reportUrl().map(url -> " · " + SlackText.link(url, "Report")).orElse("");
        return switch (run.state()) {
            case ASSESSED -> view.busy().map(b -> ":warning: *" + rich(b) + ".* This card can be dismissed.")
                    .orElse(run.assessment().isPresent() ? "*Decide:* roll back, monitor or dismiss." + monitoring(view) + previousCard(view)
                    : ":mag: Assessing " + SlackText.escape(run.service()) + "…");
            case AWAITING_APPROVAL -> ":raised_hand: *Rollback to " + to + " requested by " + requester + "* · "
                    + view.standing().have() + " of " + view.standing().need() + " approvals"
                    + (view.standing().missing() > 0 ? "; waiting for " + view.standing().missing() + " more from "
                    + view.approvers().stream().map(mentions::any).collect(Collectors.joining(", ")) : "");
            case APPROVED, EXECUTING -> ":hourglass_flowing_sand: *Rolling back to " + to + "* · in progress"
                    + (elapsed.isEmpty() ? "" : " for " + elapsed) + " · approved by " + approvers(view) + report;
            case VERIFYING -> ":stethoscope: *Rolled back to " + to + "*, verifying recovery"
                    + (elapsed.isEmpty() ? "" : " · " + elapsed) + report;
            case SUCCEEDED -> ":white_check_mark: *Rolled back to " + to + "* in " + elapsed + " · done, requested by "
                    + requester + ", approved by " + approvers(view) + report;
            case FAILED -> ":x: *Rollback to " + to + " failed*" + (elapsed.isEmpty() ? "" : " after " + elapsed)
                    + ": " + rich(run.outcome().orElse("no reason recorded")) + report;
            case NOT_RECOVERED -> ":rotating_light: *Not recovered.* " + rich(run.outcome().orElse(""))
                    + "\nNext: *Retry* assesses again from the revision now live and offers older ones "
                    + "(roll back further); or look at what else changed in the last hour; or dismiss." + report;
            case ABORTED -> ":no_entry_sign: " + rich(run.outcome().orElse("Closed"))
                    + run.finishedAt().map(at -> " at " + SlackText.time(at)).orElse("") + report;
            case INTERRUPTED -> ":warning: *Rollback interrupted*: " + rich(run.outcome().orElse(""))
                    + ". Check the target by hand." + report;
        };
    }

    /** The alerts behind the card: how many, still firing or resolved. */
    private static String alerts(RunView view, Instant now) {
        if (view.alerts().isEmpty()) {
            return "";
        }
        AlertDigest digest = view.alerts().get();
        String latest = SlackText.escape(SlackText.clip(digest.latestName() + (digest.latestSummary().equals(digest.latestName())
                ? "" : ": " + digest.latestSummary()), 300));
        if (digest.expiredAt().isPresent() && digest.resolvedAt().isEmpty()) {
            return "\n:zzz: No word on these alerts since " + SlackText.time(digest.lastSeenAt()) + " ("
                    + SlackText.age(digest.lastSeenAt(), now) + "): Rewind closed the incident as stale, without a "
                    + "resolution; a new alert opens a new card (" + digest.alerts() + " alert"
                    + (digest.alerts() == 1 ? "" : "s") + ", latest " + latest + ")";
        }
        if (digest.resolvedAt().isPresent()) {
            return "\n:white_check_mark: Alerts resolved at " + SlackText.time(digest.resolvedAt().get()) + ", "
                    + SlackText.duration(java.time.Duration.between(digest.firstFiredAt(), digest.resolvedAt().get()))
                    + " after they fired (" + digest.alerts() + " alert" + (digest.alerts() == 1 ? "" : "s") + ", latest " + latest + ")";
        }
        return "\n:rotating_light: " + digest.firing() + " of " + digest.alerts() + " alert" + (digest.alerts() == 1 ? "" : "s")
                + " firing · " + digest.notifications() + " notification" + (digest.notifications() == 1 ? "" : "s")
                + " · first fired " + SlackText.time(digest.firstFiredAt()) + " · latest " + latest
                + " (" + SlackText.age(digest.lastSeenAt(), now) + ")";
    }

    /** What an automatic-rollback policy said, and its countdown. */
    private String policy(RunView view, Instant now) {
        RollbackRun run = view.run();
        if (run.policyNote().isEmpty()) {
            return "";
        }
        String note = rich(run.policyNote().get());
        if (run.autoAt().isPresent() && run.state() == RunState.ASSESSED) {
            return "\n:robot_face: *" + note + "* — at " + SlackText.time(run.autoAt().get());
        }
        return "\n:robot_face: " + note;
    }

    /** Where the rollback is followed live, or why there is no room for it. */
    private String room(RunView view) {
        if (view.incident().channel().isPresent()) {
            return "\n:rotating_light: Follow it in <#" + view.incident().channel().get() + ">";
        }
        return view.incident().note().map(note -> "\n:warning: " + SlackText.escape(note)).orElse("");
    }

    /** Why the card is not where it was asked for, so people there can be told. */
    private String displaced(RunView view) {
        return view.events().stream().filter(e -> e.message().startsWith(CardDelivery.DISPLACED)).reduce((a, b) -> b)
                .map(e -> "\n:warning: " + rich(e.message())).orElse("");
    }

    /**
     * The latest monitoring note, re-assessment or request that joined this card, so everyone sees the card is
     * being watched.
     */
    private String monitoring(RunView view) {
        return view.events().stream()
                .filter(e -> e.message().startsWith("Monitoring:") || e.message().startsWith("Re-assessed:")
                        || e.message().startsWith("Asked again by"))
                .reduce((a, b) -> b)
                .map(e -> "\n:eyes: " + rich(e.message()) + " (" + SlackText.time(e.at()) + ")")
                .orElse("");
    }

    /** What became of the service's card before this one: one incident, one card, and a trail between them. */
    private String previousCard(RunView view) {
        return view.events().stream().filter(e -> e.message().startsWith("Previous card of")).findFirst()
                .map(e -> "\n:leftwards_arrow_with_hook: " + rich(e.message())).orElse("");
    }

    private String approvers(RunView view) {
        if (view.approvals().isEmpty()) {
            return "nobody";
        }
        return view.approvals().stream().map(a -> mentions.user(a.userId()) + (a.breakGlass() ? " (break-glass)" : ""))
                .collect(Collectors.joining(", "));
    }

    private static String revisions(TargetView view, Instant now, Optional<Revision> target) {
        String title = "*" + SlackText.escape(view.description()) + "*";
        if (view.state().isEmpty()) {
            return title + "\n:warning: Cannot read it: " + SlackText.escape(view.error().orElse("unknown error"));
        }
        TargetState state = view.state().get();
        StringBuilder text = new StringBuilder(title);
        text.append("\n*Current:* ").append(describe(state.current(), now));
        if (target.isPresent()) {
            text.append("\n*Roll back to:* ").append(describe(target.get(), now));
        } else {
            text.append("\n*Previous:* none in history, nothing to roll back to");
        }
        for (TargetState.Fact fact : state.facts()) {
            text.append("\n").append(SlackText.escape(fact.name())).append(": ").append(SlackText.escape(fact.value()));
        }
        return text.toString();
    }

    private static String describe(Revision revision, Instant now) {
        StringBuilder text = new StringBuilder(SlackText.escape(revision.label()));
        text.append(" · ").append(revision.images().stream().map(SlackText::code).collect(Collectors.joining(", ")));
        revision.createdAt().ifPresent(at -> text.append(" · deployed ").append(SlackText.age(at, now)));
        revision.changeCause().ifPresent(cause -> text.append(" · _").append(SlackText.escape(SlackText.clip(cause, 200)))
                .append("_"));
        return text.toString();
    }

    private static String signals(Assessment a) {
        if (a.signals().isEmpty()) {
            return ":bar_chart: No signals configured for " + SlackText.escape(a.service())
                    + " (add `signals:` to rewind.yml to see error rate and latency here).";
        }
        List<String> lines = new ArrayList<>();
        boolean unconfigured = a.signals().stream().allMatch(s -> s.now() instanceof Reading.Unavailable u
                && u.reason().contains("not configured"));
        if (unconfigured) {
            return ":bar_chart: Metrics are not configured (PROMETHEUS_URL is not set): decide from what you see.";
        }
        for (SignalReading reading : a.signals()) {
            String line = TierPolicy.explain(reading);
            if (!reading.baseline().hasValue() && reading.now().hasValue()) {
                line += " — no baseline (" + reading.baseline().describe() + " " + reading.baselineBasis()
                        + "): judged by absolute thresholds";
            }
            lines.add("• " + SlackText.escape(line));
        }
        return ":bar_chart: *Signals*\n" + String.join("\n", lines);
    }

    private static String preview(Revision current, Revision to) {
        List<ChangePreview.Change> changes = ChangePreview.between(current, to);
        StringBuilder text = new StringBuilder("*What rolling back changes* (" + SlackText.escape(current.label())
                + " → " + SlackText.escape(to.label()) + ")");
        if (changes.isEmpty()) {
            text.append("\nNo differences in images, args, env or resources.");
        }
        changes.stream().limit(PREVIEW_LINES).forEach(change -> text.append("\n• ")
                .append(SlackText.escape(SlackText.clip(change.describe(), 300))));
        if (changes.size() > PREVIEW_LINES) {
            text.append("\n…and ").append(changes.size() - PREVIEW_LINES).append(" more (see the report)");
        }
        return text.toString();
    }

    /** A domain sentence for mrkdwn: escaped, with its people tokens turned into mentions. */
    private String rich(String text) {
        return mentions.expand(SlackText.escape(text));
    }

    private Optional<String> timeline(RunView view) {
        List<RunEvent> events = view.events();
        if (events.isEmpty()) {
            return Optional.empty();
        }
        List<RunEvent> recent = events.subList(Math.max(0, events.size() - RECENT_STEPS), events.size());
        String text = recent.stream().map(e -> SlackText.time(e.at()) + " " + rich(SlackText.clip(e.message(), 300)))
                .collect(Collectors.joining("\n"));
        return Optional.of(SlackText.clip(text, SlackText.CONTEXT_TEXT));
    }

    /** One control for each action the run offers now ({@link Offers}), in its order. */
    private List<BlockElement> buttons(RunView view, Assessment a, Optional<Revision> target) {
        RollbackRun run = view.run();
        List<BlockElement> elements = new ArrayList<>();
        for (Permissions.Action action : Offers.of(view, target.isPresent())) {
            switch (action) {
                case CANCEL_AUTO -> elements.add(button(b -> b.actionId(ActionIds.CANCEL_AUTO).style("primary")
                        .text(plainText("Cancel automatic rollback")).value(run.id())));
                case ROLL_BACK -> elements.add(rollBackButton(run, a, target.orElseThrow()));
                case PICK_REVISION -> picker(run, a, target.orElseThrow()).ifPresent(elements::add);
                case MONITOR -> elements.add(overflowMenu(o -> o.actionId(ActionIds.MONITOR).options(List.of(
                        option(plainText("Monitor: re-assess in 5 min"), ActionIds.value(run.id(), "5")),
                        option(plainText("Monitor: re-assess in 15 min"), ActionIds.value(run.id(), "15")),
                        option(plainText("Dismiss with a reason…"), ActionIds.value(run.id(), "dismiss"))))));
                case DISMISS -> elements.add(button(b -> b.actionId(ActionIds.DISMISS).value(run.id())
                        .text(plainText(run.state() == RunState.AWAITING_APPROVAL ? "Cancel request" : "Dismiss"))));
                case APPROVE -> elements.add(button(b -> b.actionId(ActionIds.APPROVE).text(plainText("Approve"))
                        .style("primary").value(run.id())));
                case BREAK_GLASS -> elements.add(button(b -> b.actionId(ActionIds.BREAK_GLASS).style("danger")
                        .text(plainText("Break glass: proceed now")).value(run.id())
                        .confirm(confirmationDialog(d -> d.title(plainText("Break glass?"))
                                .text(plainText("Proceed on one approval because the tier is IMMEDIATE. "
                                        + "This is recorded in the audit log."))
                                .confirm(plainText("Proceed")).deny(plainText("Cancel")).style("danger")))));
                case RETRY -> elements.add(button(b -> b.actionId(ActionIds.RETRY)
                        .text(plainText("Retry: assess again")).value(run.id())));
                case FOLLOW_UP -> {
                    List<FollowUpTask> open = Offers.openFollowUps(view, FOLLOW_UP_BUTTONS);
                    for (int i = 0; i < open.size(); i++) {
                        elements.add(followUpButton(open.get(i), i));
                    }
                }
                default -> {
                }
            }
        }
        return elements;
    }

    private static BlockElement rollBackButton(RollbackRun run, Assessment a, Revision to) {
        return button(b -> b.actionId(ActionIds.ROLL_BACK)
                .text(plainText(SlackText.clip((run.dryRun() ? "Dry run: roll back to " : "Roll back to ")
                        + to.label(), SlackText.BUTTON_TEXT)))
                .value(ActionIds.value(run.id(), to.id()))
                .style("danger")
                .confirm(confirmationDialog(d -> d.title(plainText("Roll back " + SlackText.clip(run.service(), 20) + "?"))
                        .text(plainText(SlackText.clip(a.current().map(Revision::label).orElse("current") + " → "
                                + to.label() + " in " + run.environment() + ". "
                                + (run.dryRun() ? "Dry run: nothing will change." : "This changes production.")
                                + " Numbers read at " + SlackText.SECONDS.format(a.at()) + " UTC.", 300)))
                        .confirm(plainText("Roll back")).deny(plainText("Cancel")).style("danger"))));
    }

    /** What the rollback left for after the incident, done or not. */
    private Optional<String> afterTheIncident(RunView view) {
        if (view.followUps().isEmpty()) {
            return Optional.empty();
        }
        String lines = view.followUps().stream().map(task -> task.done()
                        .map(done -> ":white_check_mark: " + SlackText.escape(task.action()) + " by " + mentions.user(done.by())
                                + " at " + SlackText.time(done.at()) + ": " + SlackText.escape(SlackText.clip(done.result(), 500)))
                        .orElse(":hourglass: " + SlackText.escape(SlackText.clip(task.description(), 500))))
                .collect(Collectors.joining("\n"));
        return Optional.of(SlackText.clip("*Follow-ups*\n" + lines, SlackText.SECTION_TEXT));
    }

    private static BlockElement followUpButton(FollowUpTask task, int position) {
        return button(b -> b.actionId(ActionIds.FOLLOW_UP + "." + position).value(task.id())
                .text(plainText(SlackText.clip(task.action(), SlackText.BUTTON_TEXT)))
                .confirm(confirmationDialog(d -> d.title(plainText(SlackText.clip(task.action(), 24) + "?"))
                        .text(plainText(SlackText.clip(task.description(), 300)))
                        .confirm(plainText("Do it")).deny(plainText("Not yet")))));
    }

    private static Optional<BlockElement> picker(RollbackRun run, Assessment a, Revision selected) {
        List<Revision> candidates = a.primary().map(TargetState::candidates).orElse(List.of());
        if (candidates.size() < 2) {
            return Optional.empty();
        }
        List<OptionObject> options = candidates.stream().limit(SlackText.MAX_OPTIONS)
                .map(r -> option(plainText(SlackText.clip(r.label() + " · " + r.imagesText()
                        + r.changeCause().map(c -> " · " + c).orElse(""), SlackText.OPTION_TEXT)),
                        ActionIds.value(run.id(), r.id())))
                .toList();
        OptionObject initial = options.stream().filter(o -> ActionIds.revision(o.getValue()).equals(selected.id()))
                .findFirst().orElse(options.get(0));
        return Optional.of(staticSelect(s -> s.actionId(ActionIds.PICK_REVISION)
                .placeholder(plainText("Choose revision")).options(options).initialOption(initial)));
    }

    private static Optional<Revision> chosen(RollbackRun run, Assessment a) {
        Optional<TargetState> primary = a.primary();
        if (primary.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> id = run.toRevision();
        return id.flatMap(primary.get()::candidate).or(primary.get()::previous);
    }

    private String footer(RunView view) {
        RollbackRun run = view.run();
        String who = switch (run.trigger()) {
            case COMMAND -> "Asked by " + mentions.user(run.askedBy());
            case ALERT -> "Opened by an alert (" + SlackText.escape(run.askedBy()) + ")";
            case POLICY -> "Opened by the automatic-rollback policy";
            case GUARD -> "Opened by the deploy guard";
            case DRILL -> ":test_tube: DRILL by " + mentions.user(run.askedBy());
        };
        String reason = run.reason().isBlank() ? "" : ": " + SlackText.escape(SlackText.clip(run.reason(), 500));
        String at = run.assessment().map(a -> " · numbers as of " + SlackText.timeSecs(a.at())).orElse("");
        return who + reason + at + " · run `" + run.id() + "`";
    }
}
