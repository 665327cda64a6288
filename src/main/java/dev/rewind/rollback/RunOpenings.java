package dev.rewind.rollback;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.Assessor;
import dev.rewind.assess.Tier;
import dev.rewind.config.ServiceConfig;

import java.time.Clock;
import java.time.Duration;
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
    private final OpeningGate gate;
    private final Clock clock;

    public RunOpenings(Catalogues catalogues, Assessor assessor, RunRepository runs, RunTimeline timeline, AuditLog audit, RunAccess access,
                       IncidentChannel channel, RunViews views, OpeningGate gate, Clock clock) {
        this.catalogues = catalogues;
        this.gate = gate;
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

    /**
     * A run just opened, and what became of its card; or, when {@code joined}, the service's card that was
     * already open, which the opening was added to instead of posting a second card.
     */
    public record Opened(RollbackRun run, CardPlacement card, boolean joined) {
        public Opened(RollbackRun run, CardPlacement card) {
            this(run, card, false);
        }
    }

    /** However many alerts arrive, an undecided card is re-assessed at most this often on their account. */
    static final Duration ALERT_COALESCING = Duration.ofSeconds(15);
    /** How often a card in a hurry (IMMEDIATE, FAST) re-reads its numbers by itself until it is decided or expires. */
    static final Duration HOT_REFRESH = Duration.ofSeconds(60);
    static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter.ofPattern("HH:mm 'UTC'")
            .withZone(java.time.ZoneOffset.UTC);

    private final java.util.concurrent.ConcurrentHashMap<String, Object> serviceLocks = new java.util.concurrent.ConcurrentHashMap<>();

    /** People's own words may not pose as a mention token ({@code @{S0ALL}}). */
    static String words(String text) {
        return text == null ? "" : Mentions.neutralise(text);
    }

    /** Stores the request, assesses the service, posts the card and returns the run. */
    public RollbackRun open(ServiceConfig service, Opening opening) {
        return openRun(service, opening).run();
    }

    /**
     * As {@link #open}, saying also whether the card was posted, queued (Slack is slow) or refused everywhere.
     * One incident, one card: while the service has a card that is not over (undecided, awaiting approvals,
     * running), a command, alert or policy joins that card instead of posting another. Dry runs and Retry
     * (which takes over its own card) always get their own run.
     */
    public Opened openRun(ServiceConfig service, Opening opening) {
        if (opening.dryRun() || opening.card().isPresent() || opening.trigger() == Trigger.DRILL) {
            return openNew(service, opening);
        }
        // One thread per service in this process, and one replica at a time (the gate), decides "join or open", so
        // two commands at once, or a command here and an alert on another replica, make one card.
        synchronized (serviceLocks.computeIfAbsent(service.name(), name -> new Object())) {
            return gate.exclusively(service.name(), () -> {
                // An undecided card whose alerts are over (resolved, or closed as stale) told people "a new alert opens
                // a new card": that card is left as it is.
                Optional<RollbackRun> open = runs.openForService(service.name()).stream().filter(r -> !r.dryRun())
                        .filter(r -> r.trigger() != Trigger.DRILL)
                        .filter(r -> r.state() != RunState.ASSESSED || !views.alertsOver(r)).findFirst();
                if (open.isPresent()) {
                    return join(service, open.get(), opening);
                }
                return openNew(service, opening);
            });
        }
    }

    private Opened join(ServiceConfig service, RollbackRun run, Opening opening) {
        Instant now = clock.instant();
        audit.record(opening.askedBy(), "assessment requested", Optional.of(run.id()), service.name(),
                "joined the open card; trigger " + opening.trigger()
                        + (opening.reason().isBlank() ? "" : "; reason: " + opening.reason()));
        timeline.append(new RunEvent(run.id(), now, RunEvent.Kind.NOTE, describeOpening(opening).replaceFirst("^Opened by ",
                "Asked again by ")));
        if (run.state() == RunState.ASSESSED) {
            if (opening.trigger() != Trigger.ALERT || numbersOlderThanCoalescing(run, now)) {
                Set<String> flags = new java.util.TreeSet<>(run.assessment().map(Assessment::flags).orElse(Set.of()));
                flags.addAll(opening.flags());
                reassess(run, service, flags);
            }
            // A revision asked for is taken only if the target has it; the front end says so when it does not.
            opening.revision().flatMap(asked -> runs.find(run.id()).flatMap(RollbackRun::assessment)
                            .flatMap(Assessment::primary).flatMap(state -> state.candidate(asked)))
                    .ifPresent(revision -> runs.preselect(run.id(), revision.id(), clock.instant()));
        }
        refreshCard(run.id());
        RollbackRun joined = runs.find(run.id()).orElse(run);
        CardPlacement placed = joined.card().<CardPlacement>map(CardPlacement.Posted::new).orElseGet(CardPlacement.Queued::new);
        return new Opened(joined, placed, true);
    }

    /**
     * A new alert of the incident whose card this is: the card is re-assessed if it is undecided and its numbers are
     * older than {@link #ALERT_COALESCING}, else only redrawn, so an alert storm costs one assessment per 15 s.
     */
    public void alertArrived(String runId) {
        Optional<RollbackRun> run = runs.find(runId);
        Instant now = clock.instant();
        if (run.isPresent() && run.get().state() == RunState.ASSESSED
                && numbersOlderThanCoalescing(run.get(), now)) {
            Optional<ServiceConfig> service = catalogues.service(run.get().service());
            if (service.isPresent()) {
                reassess(run.get(), service.get(), run.get().assessment().map(Assessment::flags).orElse(Set.of()));
            }
        }
        refreshCard(runId);
    }

    /** Whether an alert may re-assess {@code run} now: its numbers are at least {@link #ALERT_COALESCING} old. */
    private static boolean numbersOlderThanCoalescing(RollbackRun run, Instant now) {
        return run.assessment().map(a -> !a.at().plus(ALERT_COALESCING).isAfter(now)).orElse(true);
    }

    private Opened openNew(ServiceConfig service, Opening opening) {
        Instant now = clock.instant();
        Optional<RollbackRun> previous = runs.latestForService(service.name()).filter(r -> !r.dryRun());
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
        previous.filter(p -> !opening.dryRun()).ifPresent(p -> timeline.append(new RunEvent(run.id(), now, RunEvent.Kind.NOTE,
                "Previous card of " + service.name() + ": run " + p.id() + ", " + (p.state().isFinal()
                        ? p.state().name().toLowerCase(java.util.Locale.ROOT) : "left undecided when its alerts ended")
                        + p.finishedAt().or(() -> Optional.of(p.updatedAt())).map(at -> " at " + TIME.format(at)).orElse(""))));

        Assessment assessment = assessor.assess(service, opening.flags());
        Instant assessedAt = clock.instant();
        runs.saveAssessment(run.id(), assessment, assessedAt);
        nextLook(run, service, assessment, assessedAt).ifPresent(at -> runs.scheduleReassessment(run.id(), at));
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
        if (run.state() != RunState.FAILED && run.state() != RunState.INTERRUPTED && run.state() != RunState.NOT_RECOVERED) {
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

    /** Re-assesses every card that is due (monitored, in a hurry, or still being worked out); called periodically. */
    public int reassessDue() {
        int done = 0;
        for (RollbackRun run : runs.dueForReassessment(clock.instant())) {
            runs.scheduleReassessment(run.id(), null);
            if (run.state() != RunState.ASSESSED) {
                continue;
            }
            Optional<ServiceConfig> service = catalogues.service(run.service());
            if (service.isEmpty()) {
                continue;
            }
            if (reassess(run, service.get(), run.assessment().map(Assessment::flags).orElse(Set.of()))) {
                refreshCard(run.id());
                done++;
            }
        }
        return done;
    }

    /**
     * Reads the service again for an undecided card and stores the numbers; the timeline hears of it only when
     * the tier changed ("Re-assessed: tier FAST → IMMEDIATE (error rate 20.0%)"). @return whether it was stored
     */
    private boolean reassess(RollbackRun run, ServiceConfig service, Set<String> flags) {
        Tier before = run.assessment().map(Assessment::tier).orElse(Tier.UNKNOWN);
        Assessment fresh = assessor.assess(service, flags);
        Instant now = clock.instant();
        if (!runs.saveAssessmentIfUndecided(run.id(), fresh, now)) {
            return false;
        }
        nextLook(run, service, fresh, now).ifPresent(at -> runs.scheduleReassessment(run.id(), at));
        timeline.recordSamples(run.id(), Samples.of(fresh, false));
        if (fresh.tier() != before) {
            timeline.append(new RunEvent(run.id(), now, RunEvent.Kind.ASSESSED, "Re-assessed: tier " + before + " → "
                    + fresh.tier() + errorRate(fresh).map(rate -> " (error rate " + rate + ")").orElse("")));
        }
        return true;
    }

    /**
     * When an undecided card should be read again by itself: soon, while part of it is still being worked out
     * (a listing Job); every minute while its alerts are firing or the tier is IMMEDIATE or FAST, until its request
     * would expire.
     */
    private Optional<Instant> nextLook(RollbackRun run, ServiceConfig service, Assessment assessment, Instant now) {
        Optional<Instant> workingOut = assessment.refreshIn().map(now::plus);
        boolean firing = run.trigger() == Trigger.ALERT && !views.alertsOver(run);
        boolean hurry = firing || assessment.tier() == Tier.IMMEDIATE || assessment.tier() == Tier.FAST;
        Instant next = now.plus(HOT_REFRESH);
        Optional<Instant> hot = hurry && next.isBefore(run.createdAt().plus(service.guardrails().requestExpiry()))
                ? Optional.of(next) : Optional.empty();
        return workingOut.isPresent() && hot.isPresent() ? Optional.of(workingOut.get().isBefore(hot.get())
                ? workingOut.get() : hot.get()) : workingOut.or(() -> hot);
    }

    private static Optional<String> errorRate(Assessment assessment) {
        return assessment.signals().stream().filter(s -> s.kind() == dev.rewind.assess.SignalKind.ERROR_RATE)
                .flatMap(s -> s.value().stream()).findFirst().map(dev.rewind.assess.NumberText::percent);
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
            case GUARD -> "the deploy guard";
            case DRILL -> "a drill (" + (opening.askedBy().startsWith("U") || opening.askedBy().startsWith("W")
                    ? Mentions.token(opening.askedBy()) : opening.askedBy()) + ")";
        };
        return "Opened by " + by + (opening.reason().isBlank() ? "" : ": " + words(opening.reason()));
    }
}
