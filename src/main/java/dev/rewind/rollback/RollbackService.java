package dev.rewind.rollback;

import dev.rewind.adapter.Revision;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.Assessor;
import dev.rewind.assess.Tier;
import dev.rewind.config.ApprovalRules;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.IncidentPolicy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The use cases behind the card: open a run with its assessment, ask for the rollback, approve,
 * dismiss. Every decision is audited and written before anything acts on it; every refusal says why.
 */
public final class RollbackService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RollbackService.class);

    private final Catalogues catalogues;
    private final Assessor assessor;
    private final RunRepository runs;
    private final AuditLog audit;
    private final ApprovalPolicy policy;
    private final IncidentChannel channel;
    private final RunExecutor executor;
    private final Clock clock;
    private final RunViews views;
    private final RunObserver observer;

    public RollbackService(Catalogues catalogues, Assessor assessor, RunRepository runs, AuditLog audit,
                           ApprovalPolicy policy, IncidentChannel channel, RunExecutor executor,
                           Clock clock, RunViews views, RunObserver observer) {
        this.catalogues = catalogues;
        this.assessor = assessor;
        this.runs = runs;
        this.audit = audit;
        this.policy = policy;
        this.channel = channel;
        this.executor = executor;
        this.clock = clock;
        this.views = views;
        this.observer = observer;
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
        runs.append(new RunEvent(run.id(), now, RunEvent.Kind.DETECTED,
                describeOpening(opening)));

        Assessment assessment = assessor.assess(service, opening.flags());
        Instant assessedAt = clock.instant();
        runs.saveAssessment(run.id(), assessment, assessedAt);
        assessment.refreshIn().ifPresent(delay -> runs.scheduleReassessment(run.id(), assessedAt.plus(delay)));
        runs.recordSamples(run.id(), Samples.of(assessment, true));
        runs.append(new RunEvent(run.id(), assessedAt, RunEvent.Kind.ASSESSED, "Assessed: tier "
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
            return alreadyHandled(run);
        }
        if (!allows(Permissions.Action.RETRY, userId, run, service.get())) {
            return refuseRole(Permissions.Action.RETRY, run, userId, service.get());
        }
        audit.record(userId, "retry", Optional.of(runId), run.service(), "after " + run.state());
        RollbackRun next = open(service.get(), new Opening(Trigger.COMMAND, userId,
                "retry of " + run.id() + (run.reason().isBlank() ? "" : ": " + run.reason()), run.assessment()
                .map(Assessment::flags).orElse(Set.of()), run.dryRun(),
                run.card().map(RollbackRun.CardRef::channel).orElse(service.get().channel()), Optional.empty(), run.card()));
        return new Decision.Accepted("Re-assessed as run " + next.id() + "; decide on the card.");
    }

    /** A revision picked on a card still awaiting a decision: its button is redrawn to name it. */
    public Decision preselect(String runId, String userId, String revisionId) {
        Optional<RollbackRun> found = runs.find(runId);
        if (found.isEmpty()) {
            return new Decision.Refused("run " + runId + " is not in Rewind's database");
        }
        RollbackRun run = found.get();
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (service.isEmpty()) {
            return new Decision.Refused(run.service() + " is no longer in rewind.yml");
        }
        if (!allows(Permissions.Action.PICK_REVISION, userId, run, service.get())) {
            return refuseRole(Permissions.Action.PICK_REVISION, run, userId, service.get());
        }
        if (!runs.preselect(runId, revisionId, clock.instant())) {
            return alreadyHandled(runs.find(runId).orElse(run));
        }
        refreshCard(runId);
        return new Decision.Accepted("Revision chosen.");
    }

    /** "Monitor": the card is re-assessed after {@code delay} and redrawn in place. */
    public Decision monitor(String runId, String userId, Duration delay) {
        Optional<RollbackRun> found = runs.find(runId);
        if (found.isEmpty()) {
            return new Decision.Refused("run " + runId + " is not in Rewind's database");
        }
        RollbackRun run = found.get();
        if (run.state() != RunState.ASSESSED) {
            return alreadyHandled(run);
        }
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (service.isEmpty()) {
            return new Decision.Refused(run.service() + " is no longer in rewind.yml");
        }
        if (!allows(Permissions.Action.MONITOR, userId, run, service.get())) {
            return refuseRole(Permissions.Action.MONITOR, run, userId, service.get());
        }
        Instant at = clock.instant().plus(delay);
        if (!runs.scheduleReassessmentIfUndecided(runId, at)) {
            return alreadyHandled(runs.find(runId).orElse(run));
        }
        audit.record(userId, "monitor", Optional.of(runId), run.service(), "re-assess in " + DurationText.format(delay));
        runs.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE, "Monitoring: " + Mentions.token(userId)
                + " asked for a fresh assessment in " + DurationText.format(delay)));
        refreshCard(runId);
        return new Decision.Noted("I'll re-assess " + run.service() + " in " + DurationText.format(delay)
                + " and update the card.");
    }

    /** Withdraws requests that waited longer than their service allows for approvals; called periodically. */
    public int expireRequests() {
        int expired = 0;
        for (RollbackRun run : runs.inStates(java.util.EnumSet.of(RunState.AWAITING_APPROVAL))) {
            Duration limit = catalogues.service(run.service()).map(s -> s.guardrails().requestExpiry())
                    .orElse(ServiceConfig.Guardrails.DEFAULT.requestExpiry());
            if (run.updatedAt().isAfter(clock.instant().minus(limit))) {
                continue;
            }
            String outcome = "Request withdrawn: not enough approvals within " + DurationText.format(limit)
                    + ". Nothing was changed; ask again if it is still needed";
            if (runs.transition(run.id(), RunState.AWAITING_APPROVAL, RunState.ABORTED, Optional.of(outcome), clock.instant())) {
                audit.record("rewind", "request expired", Optional.of(run.id()), run.service(), outcome);
                runs.append(new RunEvent(run.id(), clock.instant(), RunEvent.Kind.DISMISSED, outcome));
                refreshCard(run.id());
                expired++;
            }
        }
        return expired;
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
            runs.recordSamples(run.id(), Samples.of(fresh, false));
            // A card still being worked out (a listing Job running) is redrawn quietly until it is done.
            if (fresh.tier() != before || fresh.refreshIn().isEmpty()) {
                runs.append(new RunEvent(run.id(), clock.instant(), RunEvent.Kind.ASSESSED, "Re-assessed: tier "
                        + fresh.tier() + (fresh.tier() != before ? " (was " + before + ")" : " (unchanged)")));
            }
            refreshCard(run.id());
            done++;
        }
        return done;
    }

    /** "Roll back" was clicked: checks the person, the revision and the guardrails, then takes the target. */
    public Decision requestRollback(String runId, String userId, Optional<String> revisionId, boolean override) {
        Optional<RollbackRun> found = runs.find(runId);
        if (found.isEmpty()) {
            return new Decision.Refused("this card's run " + runId + " is not in Rewind's database");
        }
        RollbackRun run = found.get();
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (service.isEmpty()) {
            return new Decision.Refused(run.service() + " is no longer in rewind.yml, so it cannot be rolled back from this card");
        }
        if (run.state() != RunState.ASSESSED) {
            return alreadyHandled(run);
        }
        ServiceConfig config = service.get();
        if (!allows(Permissions.Action.ROLL_BACK, userId, run, config)) {
            return refuseRole(Permissions.Action.ROLL_BACK, run, userId, config);
        }
        if (override && !allows(Permissions.Action.OVERRIDE, userId, run, config)) {
            return refuseRole(Permissions.Action.OVERRIDE, run, userId, config);
        }
        Optional<TargetState> state = run.assessment().flatMap(Assessment::primary);
        if (state.isEmpty()) {
            return refuse(run, userId, "the target's revisions could not be read when this card was made; "
                    + "run /rollback " + run.service() + " again for a fresh card", List.of());
        }
        String asked = revisionId.orElseGet(() -> state.get().previous().map(Revision::id).orElse(""));
        Optional<Revision> chosen = state.get().candidate(asked);
        if (chosen.isEmpty()) {
            String available = state.get().candidates().stream().map(Revision::label).collect(Collectors.joining(", "));
            return refuse(run, userId, asked.isEmpty()
                    ? run.service() + " has no earlier revision to roll back to"
                    : "revision " + asked + " is not in the history of " + state.get().target()
                    + (available.isEmpty() ? "" : " (available: " + available + ")"), List.of());
        }
        Revision to = chosen.get();
        if (!override) {
            Optional<String> guardrail = guardrail(config, runId, clock.instant());
            if (guardrail.isPresent()) {
                audit.record(userId, "refused", Optional.of(run.id()), run.service(), guardrail.get());
                if (policy.mayApprove(userId, config.approval())) {
                    return new Decision.Guarded(guardrail.get(), runId, to.id());
                }
                return refuse(run, userId, guardrail.get() + " Only an approver may override it", whoMayApprove(config));
            }
        }
        // A dry run changes nothing, so it holds no target: it must never block a real rollback.
        List<String> keys = run.dryRun() ? List.of() : config.targets().stream().map(Target::key).toList();
        RunRepository.Claim claim = runs.claim(runId, userId, to.id(), keys, clock.instant());
        if (claim instanceof RunRepository.Claim.StateChanged) {
            return alreadyHandled(runs.find(runId).orElse(run));
        }
        if (claim instanceof RunRepository.Claim.TargetBusy busy) {
            RollbackRun other = runs.find(busy.runId()).orElseThrow();
            audit.record(userId, "refused", Optional.of(runId), run.service(), "target busy with run " + other.id());
            return new Decision.AlreadyHandled(run.service() + " is already being rolled back by "
                    + Mentions.token(other.requestedBy().orElse(other.askedBy())) + " (run " + other.id() + ", "
                    + other.state().name().toLowerCase().replace('_', ' ') + ")");
        }
        audit.record(userId, "rollback requested", Optional.of(runId), run.service(),
                "to " + to.label() + " (" + to.imagesText() + ")" + (override ? "; guardrails overridden" : ""));
        runs.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.REQUESTED, "Rollback to " + to.label()
                + " requested by " + Mentions.token(userId) + (override ? " (guardrails overridden)" : "")));
        if (config.incidentChannel() == IncidentPolicy.ON_REQUEST && !run.dryRun()) {
            channel.openIncident(runId);
        }
        if (policy.counts(userId, Optional.of(userId), config.approval())) {
            return approve(runId, userId, false);
        }
        refreshCard(runId);
        RollbackRun current = runs.find(runId).orElseThrow();
        ApprovalPolicy.Standing standing = standing(current, config);
        return new Decision.AwaitingApproval(standing.have(), standing.need(), config.approval().approvers());
    }

    /** An approval click (also the requester's own, when it counts). Starts the run once approvals suffice. */
    public Decision approve(String runId, String userId, boolean breakGlass) {
        Optional<RollbackRun> found = runs.find(runId);
        if (found.isEmpty()) {
            return new Decision.Refused("run " + runId + " is not in Rewind's database");
        }
        RollbackRun run = found.get();
        ServiceConfig config = catalogues.service(run.service()).orElse(null);
        if (config == null) {
            return new Decision.Refused(run.service() + " is no longer in rewind.yml");
        }
        if (run.state() != RunState.AWAITING_APPROVAL) {
            return alreadyHandled(run);
        }
        Permissions.Action action = breakGlass ? Permissions.Action.BREAK_GLASS : Permissions.Action.APPROVE;
        if (!allows(action, userId, run, config)) {
            return refuseRole(action, run, userId, config);
        }
        if (!policy.counts(userId, run.requestedBy(), config.approval())) {
            return refuse(run, userId, "asked for this rollback, and " + run.service()
                    + " needs the approval of someone else", whoMayApprove(config));
        }
        ApprovalPolicy.Standing before = standing(run, config);
        boolean glass = breakGlass && before.breakGlassAllowed();
        if (breakGlass && !glass && !before.enough()) {
            return refuse(run, userId, "break-glass is only allowed for an IMMEDIATE tier on a service with "
                    + "breakGlass: true, after one approval", List.of());
        }
        boolean added = runs.addApproval(new Approval(runId, userId, clock.instant(), glass));
        if (!added && glass) {
            runs.markBreakGlass(runId, userId);
        }
        if (!added && !glass) {
            ApprovalPolicy.Standing standing = standing(run, config);
            return new Decision.AwaitingApproval(standing.have(), standing.need(), config.approval().approvers());
        }
        audit.record(userId, glass ? "approved (break-glass)" : "approved", Optional.of(runId), run.service(),
                glass ? "proceeding on one approval because the tier is IMMEDIATE" : "");
        runs.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.APPROVED, "Approved by " + Mentions.token(userId)
                + (glass ? " (break-glass: tier IMMEDIATE, one approval)" : "")));
        ApprovalPolicy.Standing after = standing(runs.find(runId).orElseThrow(), config);
        if (!after.enough() && !glass) {
            refreshCard(runId);
            return new Decision.AwaitingApproval(after.have(), after.need(), config.approval().approvers());
        }
        Instant approvedAt = clock.instant();
        if (!runs.transition(runId, RunState.AWAITING_APPROVAL, RunState.APPROVED, Optional.empty(), approvedAt)) {
            return alreadyHandled(runs.find(runId).orElse(run));
        }
        observer.approved(run, approvedAt);
        audit.record("rewind", "transition", Optional.of(runId), run.service(), "AWAITING_APPROVAL → APPROVED");
        queueCardAndRoom(runId, config.incidentChannel() == IncidentPolicy.ON_APPROVAL && !run.dryRun());
        executor.start(runId);
        return new Decision.Accepted("Rolling back " + run.service() + "; the card shows progress.");
    }

    /**
     * A policy's countdown ran out: the policy asks and approves, within the guardrails (never
     * overridden) and only where the environment allows automatic rollbacks.
     */
    public Decision rollBackByPolicy(String runId, ServiceConfig config) {
        RollbackRun run = runs.find(runId).orElseThrow();
        if (!config.approval().autoAllowed()) {
            return new Decision.Refused("automatic rollback is not allowed in " + run.environment());
        }
        if (run.state() != RunState.ASSESSED) {
            return alreadyHandled(run);
        }
        Optional<Revision> to = run.assessment().flatMap(Assessment::previous);
        if (to.isEmpty()) {
            return new Decision.Refused(run.service() + " has no earlier revision to roll back to");
        }
        Optional<String> guardrail = guardrail(config, runId, clock.instant());
        if (guardrail.isPresent()) {
            audit.record(AutoRollback.ACTOR, "refused", Optional.of(runId), run.service(), guardrail.get());
            return new Decision.Refused(guardrail.get());
        }
        List<String> keys = config.targets().stream().map(Target::key).toList();
        RunRepository.Claim claim = runs.claim(runId, AutoRollback.ACTOR, to.get().id(), keys, clock.instant());
        if (!(claim instanceof RunRepository.Claim.Claimed)) {
            return claim instanceof RunRepository.Claim.TargetBusy busy
                    ? new Decision.AlreadyHandled(run.service() + " is already being rolled back (run " + busy.runId() + ")")
                    : alreadyHandled(runs.find(runId).orElse(run));
        }
        audit.record(AutoRollback.ACTOR, "rollback requested", Optional.of(runId), run.service(), "to " + to.get().label()
                + " (" + to.get().imagesText() + ") by the automatic-rollback policy");
        runs.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.REQUESTED, "Rollback to " + to.get().label()
                + " requested by the automatic-rollback policy"));
        runs.addApproval(new Approval(runId, AutoRollback.ACTOR, clock.instant(), false));
        audit.record(AutoRollback.ACTOR, "approved", Optional.of(runId), run.service(), "automatic rollback");
        runs.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.APPROVED, "Approved by the automatic-rollback policy"));
        Instant approvedAt = clock.instant();
        if (!runs.transition(runId, RunState.AWAITING_APPROVAL, RunState.APPROVED, Optional.empty(), approvedAt)) {
            return alreadyHandled(runs.find(runId).orElse(run));
        }
        observer.approved(run, approvedAt);
        audit.record("rewind", "transition", Optional.of(runId), run.service(), "AWAITING_APPROVAL → APPROVED");
        queueCardAndRoom(runId, config.incidentChannel() != IncidentPolicy.NEVER);
        executor.start(runId);
        return new Decision.Accepted("Rolling back " + run.service() + " by policy.");
    }

    /**
     * The card and the incident room after an approval, queued before the rollback starts so the room
     * exists ahead of the first timeline line; a failure here is logged and the rollback starts anyway.
     */
    private void queueCardAndRoom(String runId, boolean openRoom) {
        try {
            refreshCard(runId);
            if (openRoom) {
                channel.openIncident(runId);
            }
        } catch (RuntimeException e) {
            LOG.warn("run {} rolls back, but its card or incident room could not be queued: {}", runId, e.getMessage());
        }
    }

    /**
     * "Dismiss": records who and why; the run ends without any change. Who may dismiss depends on the
     * state (a pending request is withdrawn only by an approver or its requester), so each state is tried
     * with its own conditional update, the requester's right written into the update's condition.
     */
    public Decision dismiss(String runId, String userId, Optional<String> reason) {
        Optional<RollbackRun> found = runs.find(runId);
        if (found.isEmpty()) {
            return new Decision.Refused("run " + runId + " is not in Rewind's database");
        }
        RollbackRun run = found.get();
        Optional<ServiceConfig> config = catalogues.service(run.service());
        String outcome = "Dismissed by " + Mentions.token(userId) + reason.filter(r -> !r.isBlank()).map(r -> ": " + words(r))
                .orElse("");
        boolean done;
        if (config.isEmpty()) {
            // Nobody can act on a service that left rewind.yml; closing its card changes nothing anywhere.
            done = runs.transition(runId, RunState.ASSESSED, RunState.ABORTED, Optional.of(outcome), clock.instant())
                    || runs.transition(runId, RunState.AWAITING_APPROVAL, RunState.ABORTED, Optional.of(outcome), clock.instant());
        } else {
            ApprovalRules rules = config.get().approval();
            Set<Permissions.Role> roles = policy.roles(userId, rules, opener(run));
            Set<Permissions.Role> listed = policy.roles(userId, rules, Optional.empty());
            done = Permissions.allows(Permissions.Action.DISMISS, roles, RunState.ASSESSED)
                    && runs.transition(runId, RunState.ASSESSED, RunState.ABORTED, Optional.of(outcome), clock.instant());
            if (!done && Permissions.allows(Permissions.Action.DISMISS, listed, RunState.AWAITING_APPROVAL)) {
                done = runs.transition(runId, RunState.AWAITING_APPROVAL, RunState.ABORTED, Optional.of(outcome), clock.instant());
            } else if (!done && Permissions.allows(Permissions.Action.DISMISS, Set.of(Permissions.Role.RUN_REQUESTER),
                    RunState.AWAITING_APPROVAL)) {
                done = runs.transitionIfRequestedBy(runId, RunState.AWAITING_APPROVAL, RunState.ABORTED, userId,
                        Optional.of(outcome), clock.instant());
            }
            if (!done) {
                RollbackRun now = runs.find(runId).orElse(run);
                if ((now.state() == RunState.ASSESSED || now.state() == RunState.AWAITING_APPROVAL)
                        && !allows(Permissions.Action.DISMISS, userId, now, config.get())) {
                    return refuseRole(Permissions.Action.DISMISS, now, userId, config.get());
                }
            }
        }
        if (!done) {
            return alreadyHandled(runs.find(runId).orElse(run));
        }
        audit.record(userId, "dismissed", Optional.of(runId), run.service(), reason.orElse(""));
        if (run.autoAt().isPresent()) {
            runs.takeAuto(runId, run.autoAt().get(), "Automatic rollback cancelled: the card was dismissed");
        }
        runs.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.DISMISSED, outcome));
        refreshCard(runId);
        runs.find(runId).ifPresent(dismissed -> observer.closed(view(dismissed)));
        return new Decision.Accepted("Dismissed.");
    }

    /**
     * Whether {@code userId} may dismiss this run now, before asking for a reason; the dismissal itself
     * checks again. Empty when they may (or when the run is gone or decided: the dismissal says so).
     */
    public Optional<Decision> refuseDismissal(String runId, String userId) {
        Optional<RollbackRun> run = runs.find(runId);
        if (run.isEmpty() || (run.get().state() != RunState.ASSESSED && run.get().state() != RunState.AWAITING_APPROVAL)) {
            return Optional.empty();
        }
        return catalogues.service(run.get().service())
                .filter(config -> !allows(Permissions.Action.DISMISS, userId, run.get(), config))
                .map(config -> refuseRole(Permissions.Action.DISMISS, run.get(), userId, config));
    }

    /**
     * Whether {@code userId} may read {@code service} (its status, audit trail, a fresh assessment):
     * empty when they may, else the refusal naming who may. A refusal is audited.
     */
    public Optional<Decision.Refused> refuseRead(String userId, ServiceConfig service, String what) {
        if (mayRead(userId, service)) {
            return Optional.empty();
        }
        audit.record(userId, "refused", Optional.empty(), service.name(), "may not " + what);
        return Optional.of(new Decision.Refused("You may not " + what + ". " + ApprovalPolicy.whoMay(
                Permissions.Action.READ, RunState.ASSESSED, service.name(), service.approval(), Optional.empty())));
    }

    /** Whether {@code userId} may read {@code service}; may look up user-group membership. */
    public boolean mayRead(String userId, ServiceConfig service) {
        return Permissions.allows(Permissions.Action.READ, policy.roles(userId, service.approval(), Optional.empty()),
                RunState.ASSESSED);
    }

    /** Whether {@code userId} may read {@code service} by their own id alone: answered without any I/O. */
    public boolean mayReadByName(String userId, ServiceConfig service) {
        return policy.readerByName(userId, service.approval());
    }

    /** Whether {@code userId} holds a role that may do {@code action} to {@code run} in its current state. */
    boolean allows(Permissions.Action action, String userId, RollbackRun run, ServiceConfig config) {
        return Permissions.allows(action, policy.roles(userId, config.approval(), opener(run)), run.state());
    }

    /**
     * The person a run belongs to: who asked for its rollback, else who opened its card with a command
     * (an alert or a policy is nobody's).
     */
    static Optional<String> opener(RollbackRun run) {
        return run.requestedBy().or(() -> run.trigger() == Trigger.COMMAND ? Optional.of(run.askedBy()) : Optional.empty());
    }

    Decision refuseRole(Permissions.Action action, RollbackRun run, String userId, ServiceConfig config) {
        String who = ApprovalPolicy.whoMay(action, run.state(), run.service(), config.approval(), opener(run));
        audit.record(userId, "refused", Optional.of(run.id()), run.service(), "may not " + action.phrase() + " "
                + run.service() + " (" + run.state() + ")");
        return new Decision.Refused(who);
    }

    public Optional<RunView> view(String runId) {
        return runs.find(runId).map(views::view);
    }

    public RunView view(RollbackRun run) {
        return views.view(run);
    }

    private void refreshCard(String runId) {
        views.refresh(runId);
    }

    private ApprovalPolicy.Standing standing(RollbackRun run, ServiceConfig config) {
        return views.standing(run, config);
    }

    /**
     * Cooldown and attempt limits; empty when the rollback may go ahead. Runs still in progress are left
     * to the target lock, which answers "already being rolled back" rather than "wait for the cooldown".
     */
    private Optional<String> guardrail(ServiceConfig config, String runId, Instant now) {
        ServiceConfig.Guardrails limits = config.guardrails();
        List<RollbackRun> recent = runs.startedSince(config.name(), now.minus(limits.attemptsWindow())).stream()
                .filter(r -> !r.id().equals(runId)).toList();
        Optional<RollbackRun> last = recent.stream().filter(r -> r.finishedAt().isPresent()).findFirst();
        if (last.isPresent()) {
            Instant ended = last.get().finishedAt().orElseThrow();
            Duration since = Duration.between(ended, now);
            if (since.compareTo(limits.cooldown()) < 0) {
                return Optional.of(config.name() + " was rolled back " + DurationText.format(since.isZero()
                        ? Duration.ofSeconds(1) : since) + " ago (run " + last.get().id() + "); the cooldown is "
                        + DurationText.format(limits.cooldown()) + ". Wait " + DurationText.format(
                        limits.cooldown().minus(since)) + " or override it.");
            }
        }
        if (recent.size() >= limits.maxAttempts()) {
            return Optional.of(config.name() + " has been rolled back " + recent.size() + " times in the last "
                    + DurationText.format(limits.attemptsWindow()) + " (limit " + limits.maxAttempts()
                    + "); something else may be wrong. Override it only if you are sure.");
        }
        return Optional.empty();
    }

    private Decision alreadyHandled(RollbackRun run) {
        String who = Mentions.token(run.requestedBy().orElse(run.askedBy()));
        String message = switch (run.state()) {
            case AWAITING_APPROVAL -> run.service() + " rollback was already requested by " + who + " and awaits approval";
            case APPROVED, EXECUTING, VERIFYING -> run.service() + " is already being rolled back by " + who;
            case SUCCEEDED -> run.service() + " was already rolled back (requested by " + who + ")";
            case FAILED -> "this rollback already ran and failed: " + run.outcome().orElse("");
            case ABORTED -> "this card is closed: " + run.outcome().orElse("dismissed");
            case INTERRUPTED -> "this rollback was interrupted: " + run.outcome().orElse("");
            case ASSESSED -> "nothing has been decided on this card yet";
        };
        return new Decision.AlreadyHandled(message);
    }

    private Decision refuse(RollbackRun run, String userId, String reason, List<String> whoMay) {
        audit.record(userId, "refused", Optional.of(run.id()), run.service(), reason);
        String sentence = reason.startsWith("may ") || reason.startsWith("asked ") ? "You " + reason : reason;
        return new Decision.Refused(capitalise(sentence) + ".", whoMay);
    }

    private static List<String> whoMayApprove(ServiceConfig config) {
        return config.approval().approvers();
    }

    private static String capitalise(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
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
