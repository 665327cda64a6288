package dev.rewind.rollback;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.Tier;
import dev.rewind.config.DurationText;
import dev.rewind.config.Principal;
import dev.rewind.config.ServiceConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Cards undecided past their tier's deadline do not sit quietly: at 60% of it a reminder in the card's thread
 * mentions the approvers; at the deadline the on-call group is mentioned and, where configured, PagerDuty is
 * paged (the run id as dedup key, resolved when the run ends). Each step is claimed in the ledger before it is
 * sent, so it goes out once however many replicas check; each is audited and in the run's timeline.
 */
public final class DeadlineWatch implements RunObserver {

    private final Catalogues catalogues;
    private final RunRepository runs;
    private final EscalationLedger ledger;
    private final IncidentChannel channel;
    private final RunTimeline timeline;
    private final AuditLog audit;
    private final Pager pager;
    private final Clock clock;

    public DeadlineWatch(Catalogues catalogues, RunRepository runs, EscalationLedger ledger, IncidentChannel channel,
                         RunTimeline timeline, AuditLog audit, Pager pager, Clock clock) {
        this.catalogues = catalogues;
        this.runs = runs;
        this.ledger = ledger;
        this.channel = channel;
        this.timeline = timeline;
        this.audit = audit;
        this.pager = pager;
        this.clock = clock;
    }

    /** Sends what is due on every undecided card; called periodically. @return how many steps were sent */
    public int check() {
        int sent = 0;
        for (RollbackRun run : runs.inStates(EnumSet.of(RunState.ASSESSED, RunState.AWAITING_APPROVAL))) {
            Optional<ServiceConfig> service = catalogues.service(run.service());
            if (run.dryRun() || run.card().isEmpty() || service.isEmpty()) {
                continue;
            }
            Tier tier = run.assessment().map(Assessment::tier).orElse(Tier.UNKNOWN);
            Optional<Duration> deadline = Optional.ofNullable(service.get().deadlines().get(tier.name()));
            Instant now = clock.instant();
            // Most undecided cards are far from their deadline: only those that could be due cost a ledger read.
            if (Deadlines.due(run.createdAt(), deadline, now, java.util.Set.of()).isEmpty()) {
                continue;
            }
            Optional<Deadlines.Step> due = Deadlines.due(run.createdAt(), deadline, now, ledger.sent(run.id()));
            if (due.isPresent() && ledger.claim(run.id(), due.get(), now)) {
                send(run, service.get(), tier, deadline.orElseThrow(), due.get(), now);
                sent++;
            }
        }
        return sent;
    }

    private void send(RollbackRun run, ServiceConfig service, Tier tier, Duration deadline, Deadlines.Step step, Instant now) {
        String waited = DurationText.format(Duration.between(run.createdAt(), now).withNanos(0));
        String limit = tier + " deadline " + DurationText.format(deadline) + ", at " + RunOpenings.TIME.format(run.createdAt()
                .plus(deadline));
        String approvers = service.approval().approvers().stream().map(Principal::id).map(Mentions::token)
                .collect(Collectors.joining(" "));
        // Paged before anything is said, so the reply tells the truth about the page.
        Optional<String> paged = step == Deadlines.Step.ESCALATION ? service.pagerDutyKeyEnv().map(key -> pager.trigger(key,
                run.id(), service.name() + " (" + service.environment() + "): rollback card undecided past its " + tier
                        + " deadline", severity(tier), details(run, waited)).map(why -> " PagerDuty NOT paged: " + why + ".")
                .orElse(" PagerDuty paged.")) : Optional.empty();
        String text;
        if (step == Deadlines.Step.REMINDER) {
            text = ":alarm_clock: " + service.name() + " has waited " + waited + " for a decision (" + limit + "). "
                    + approvers + ": roll back, monitor or dismiss on this card.";
        } else {
            text = ":rotating_light: " + service.name() + " is past its decision deadline: undecided for " + waited + " ("
                    + limit + "). " + service.oncall().map(Mentions::token).map(group -> group + " ").orElse("")
                    + approvers + ": please decide now." + paged.orElse("");
        }
        channel.reply(run.card().orElseThrow(), text);
        String what = step == Deadlines.Step.REMINDER ? "reminder" : "escalation";
        audit.record("rewind", what, Optional.of(run.id()), run.service(), "undecided " + waited + " (" + limit + ")");
        timeline.append(new RunEvent(run.id(), now, RunEvent.Kind.NOTE, (step == Deadlines.Step.REMINDER ? "Reminder sent"
                : "Escalated") + ": undecided for " + waited + " (" + limit + ")" + paged.orElse("")));
    }

    /** A run that is over resolves the page its escalation opened. */
    @Override
    public void closed(RunView view) {
        RollbackRun run = view.run();
        if (!ledger.sent(run.id()).contains(Deadlines.Step.ESCALATION)) {
            return;
        }
        catalogues.service(run.service()).flatMap(ServiceConfig::pagerDutyKeyEnv).ifPresent(key -> pager.resolve(key, run.id()));
    }

    private static String severity(Tier tier) {
        return switch (tier) {
            case IMMEDIATE -> "critical";
            case FAST -> "error";
            default -> "warning";
        };
    }

    private static Map<String, Object> details(RollbackRun run, String waited) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("run", run.id());
        details.put("service", run.service());
        details.put("environment", run.environment());
        details.put("state", run.state().name());
        details.put("undecided_for", waited);
        run.card().ifPresent(card -> details.put("card", card.channel() + "/" + card.messageId()));
        return details;
    }
}
