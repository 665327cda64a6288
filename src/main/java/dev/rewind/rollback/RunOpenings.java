package dev.rewind.rollback;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.Assessor;
import dev.rewind.assess.Tier;
import dev.rewind.config.ServiceConfig;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * How cards come to be and stay current: a run opened by a command, an alert or a policy (stored,
 * assessed, its card posted), a Retry that takes a failed card over with a fresh run, and the
 * re-assessment of cards that asked for one.
 */
public final class RunOpenings {

    private final Catalogues catalogues;
    private final Assessor assessor;
    private final RunRepository runs;
    private final RunTimeline timeline;
    private final AuditLog audit;
    private final RunAccess access;
    private final IncidentChannel channel;
    private final RunViews views;
    private final Clock clock;

    public RunOpenings(Catalogues catalogues, Assessor assessor, RunRepository runs, RunTimeline timeline, AuditLog audit, RunAccess access,
                       IncidentChannel channel, RunViews views, Clock clock) {
        this.catalogues = catalogues;
        this.assessor = assessor;
        this.runs = runs;
        this.timeline = timeline;
        this.audit = audit;
        this.access = access;
        this.channel = channel;
        this.views = views;
        this.clock = clock;
    }

    /**
     * What opened a run, and where its card goes.
     *
     * @param channel  where to post the card (the service's channel is the fallback)
     * @param revision a revision asked for up front ({@code /rollback checkout to r41})
     * @param card     an existing card to take over (Retry), instead of posting a new one
     */
    public record Opening(Trigger trigger, String askedBy, String reason, Set<String> flags, boolean dryRun,
                          String channel, Optional<String> revision, Optional<RollbackRun.CardRef> card) {

        public static Opening command(String user, String reason, Set<String> flags, boolean dryRun, String channel,
                                      Optional<String> revision) {
            return new Opening(Trigger.COMMAND, user, reason, flags, dryRun, channel, revision, Optional.empty());
        }
    }

    /** A run just opened, and what became of its card. */
    public record Opened(RollbackRun run, CardPlacement card) {
    }

    /** People's own words may not pose as a mention token ({@code @{S0ALL}}). */
    static String words(String text) {
        return text == null ? "" : Mentions.neutralise(text);
    }

    /** Stores the request, assesses the service, posts the card and returns the run. */
    public RollbackRun open(ServiceConfig service, Opening opening) {
        return openRun(service, opening).run();
    }

    /** As {@link #open}, saying also whether the card was posted, queued (Slack is slow) or refused everywhere. */
    public Opened openRun(ServiceConfig service, Opening opening) {
        Instant now = clock.instant();
        RollbackRun run = new RollbackRun(RunIds.next(), service.name(), service.environment(), RunState.ASSESSED,
                opening.trigger(), opening.askedBy(), words(opening.reason()), opening.dryRun(), Optional.empty(),
                Optional.empty(), opening.revision(), opening.card(), Optional.empty(), now, now, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
        runs.insert(run);
        audit.record(opening.askedBy(), "assessment requested", Optional.of(run.id()), service.name(),
                (opening.dryRun() ? "dry run; " : "") + "trigger " + opening.trigger()
                        + (opening.reason().isBlank() ? "" : "; reason: " + opening.reason()));
        timeline.append(new RunEvent(run.id(), now, RunEvent.Kind.DETECTED,
                describeOpening(opening)));

        Assessment assessment = assessor.assess(service, opening.flags());
        Instant assessedAt = clock.instant();
        runs.saveAssessment(run.id(), assessment, assessedAt);
        assessment.refreshIn().ifPresent(delay -> runs.scheduleReassessment(run.id(), assessedAt.plus(delay)));
        timeline.recordSamples(run.id(), Samples.of(assessment, true));
        timeline.append(new RunEvent(run.id(), assessedAt, RunEvent.Kind.ASSESSED, "Assessed: tier "
                + assessment.tier() + (assessment.verdict().reasons().isEmpty() ? ""
                : " (" + String.join("; ", assessment.verdict().reasons()) + ")")));
        RollbackRun assessed = runs.find(run.id()).orElseThrow();
        CardPlacement placed;
        if (assessed.card().isPresent()) {
            refreshCard(run.id());
            placed = new CardPlacement.Posted(assessed.card().get());
        } else {
            placed = channel.showCard(view(assessed), opening.channel());
            if (placed instanceof CardPlacement.Refused && !opening.channel().equals(service.channel())) {
                placed = channel.showCard(view(assessed), service.channel());
            }
            if (placed instanceof CardPlacement.Posted posted) {
                runs.attachCard(run.id(), posted.card(), clock.instant());
            }
        }
        return new Opened(runs.find(run.id()).orElse(assessed), placed);
    }

    /** "Retry" on a failed or interrupted card: a fresh assessment and run that take over the same card. */
    public Decision retry(String runId, String userId) {
        Optional<RollbackRun> found = runs.find(runId);
        if (found.isEmpty()) {
            return new Decision.Refused("run " + runId + " is not in Rewind's database");
        }
        RollbackRun run = found.get();
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (service.isEmpty()) {
            return new Decision.Refused(run.service() + " is no longer in rewind.yml");
        }
        if (run.state() != RunState.FAILED && run.state() != RunState.INTERRUPTED) {
            return RunAccess.alreadyHandled(run);
        }
        if (!access.allows(Permissions.Action.RETRY, userId, run, service.get())) {
            return access.refuseRole(Permissions.Action.RETRY, run, userId, service.get());
        }
        audit.record(userId, "retry", Optional.of(runId), run.service(), "after " + run.state());
        RollbackRun next = open(service.get(), new Opening(Trigger.COMMAND, userId,
                "retry of " + run.id() + (run.reason().isBlank() ? "" : ": " + run.reason()), run.assessment()
                .map(Assessment::flags).orElse(Set.of()), run.dryRun(),
                run.card().map(RollbackRun.CardRef::channel).orElse(service.get().channel()), Optional.empty(), run.card()));
        return new Decision.Accepted("Re-assessed as run " + next.id() + "; decide on the card.");
    }

    /** Re-assesses every monitored card that is due; called periodically. */
    public int reassessDue() {
        int done = 0;
        for (RollbackRun run : runs.dueForReassessment(clock.instant())) {
            if (run.state() != RunState.ASSESSED) {
                runs.scheduleReassessment(run.id(), null);
                continue;
            }
            Optional<ServiceConfig> service = catalogues.service(run.service());
            runs.scheduleReassessment(run.id(), null);
            if (service.isEmpty()) {
                continue;
            }
            Tier before = run.assessment().map(Assessment::tier).orElse(Tier.UNKNOWN);
            Assessment fresh = assessor.assess(service.get(), run.assessment().map(Assessment::flags).orElse(Set.of()));
            if (!runs.saveAssessmentIfUndecided(run.id(), fresh, clock.instant())) {
                continue;
            }
            fresh.refreshIn().ifPresent(delay -> runs.scheduleReassessment(run.id(), clock.instant().plus(delay)));
            timeline.recordSamples(run.id(), Samples.of(fresh, false));
            // A card still being worked out (a listing Job running) is redrawn quietly until it is done.
            if (fresh.tier() != before || fresh.refreshIn().isEmpty()) {
                timeline.append(new RunEvent(run.id(), clock.instant(), RunEvent.Kind.ASSESSED, "Re-assessed: tier "
                        + fresh.tier() + (fresh.tier() != before ? " (was " + before + ")" : " (unchanged)")));
            }
            refreshCard(run.id());
            done++;
        }
        return done;
    }

    private void refreshCard(String runId) {
        views.refresh(runId);
    }

    /** What a front end needs to draw {@code run} as it stands now. */
    public RunView view(RollbackRun run) {
        return views.view(run);
    }

    private String describeOpening(Opening opening) {
        String by = switch (opening.trigger()) {
            case COMMAND -> "/rollback by " + Mentions.token(opening.askedBy());
            case ALERT -> "alert from " + opening.askedBy();
            case POLICY -> "automatic policy";
        };
        return "Opened by " + by + (opening.reason().isBlank() ? "" : ": " + words(opening.reason()));
    }
}
