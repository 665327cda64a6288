package dev.rewind.rollback;

import dev.rewind.config.Principal;
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
 *
 * <p>Longer than most classes on purpose: each decision here (request, approve, policy, dismiss, expiry,
 * monitor, picker) is a short sequence of role check, conditional update, audit and timeline entry that
 * reads best next to the others; opening cards ({@link RunOpenings}) and who may ({@link RunAccess}) live apart.
 */
public final class RollbackService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RollbackService.class);

    private final Catalogues catalogues;
    private final RunRepository runs;
    private final ApprovalStore approvalStore;
    private final RunTimeline timeline;
    private final AuditLog audit;
    private final ApprovalPolicy policy;
    private final IncidentChannel channel;
    private final RunExecutor executor;
    private final Clock clock;
    private final RunViews views;
    private final RunObserver observer;
    private final RunAccess access;

    public RollbackService(Catalogues catalogues, RunRepository runs, ApprovalStore approvalStore, RunTimeline timeline, AuditLog audit, ApprovalPolicy policy,
                           RunAccess access, IncidentChannel channel, RunExecutor executor, Clock clock, RunViews views,
                           RunObserver observer) {
        this.catalogues = catalogues;
        this.runs = runs;
        this.approvalStore = approvalStore;
        this.timeline = timeline;
        this.audit = audit;
        this.policy = policy;
        this.channel = channel;
        this.executor = executor;
        this.clock = clock;
        this.views = views;
        this.observer = observer;
        this.access = access;
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
        if (!access.allows(Permissions.Action.PICK_REVISION, userId, run, service.get())) {
            return access.refuseRole(Permissions.Action.PICK_REVISION, run, userId, service.get());
        }
        if (!runs.preselect(runId, revisionId, clock.instant())) {
            return RunAccess.alreadyHandled(runs.find(runId).orElse(run));
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
            return RunAccess.alreadyHandled(run);
        }
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (service.isEmpty()) {
            return new Decision.Refused(run.service() + " is no longer in rewind.yml");
        }
        if (!access.allows(Permissions.Action.MONITOR, userId, run, service.get())) {
            return access.refuseRole(Permissions.Action.MONITOR, run, userId, service.get());
        }
        Instant at = clock.instant().plus(delay);
        if (!runs.scheduleReassessmentIfUndecided(runId, at)) {
            return RunAccess.alreadyHandled(runs.find(runId).orElse(run));
        }
        audit.record(userId, "monitor", Optional.of(runId), run.service(), "re-assess in " + DurationText.format(delay));
        timeline.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE, "Monitoring: " + Mentions.token(userId)
                + " asked for a fresh assessment in " + DurationText.format(delay)));
        refreshCard(runId);
        return new Decision.Noted("I'll re-assess " + run.service() + " in " + DurationText.format(delay)
                + " and update the card.");
    }

    /** Withdraws requests that waited longer than their service allows for approvals; called periodically. */
    public int expireRequests() {
        int expired = 0;
        for (RollbackRun run : runs.inStates(java.util.EnumSet.of(RunState.AWAITING_APPROVAL))) {
            ServiceConfig.Guardrails limits = catalogues.service(run.service()).map(ServiceConfig::guardrails)
                    .orElse(ServiceConfig.Guardrails.DEFAULT);
            if (!Guardrails.expired(run.updatedAt(), limits, clock.instant())) {
                continue;
            }
            Duration limit = limits.requestExpiry();
            String outcome = "Request withdrawn: not enough approvals within " + DurationText.format(limit)
                    + ". Nothing was changed; ask again if it is still needed";
            if (runs.transition(run.id(), RunState.AWAITING_APPROVAL, RunState.ABORTED, Optional.of(outcome), clock.instant())) {
                audit.record("rewind", "request expired", Optional.of(run.id()), run.service(), outcome);
                timeline.append(new RunEvent(run.id(), clock.instant(), RunEvent.Kind.DISMISSED, outcome));
                refreshCard(run.id());
                expired++;
            }
        }
        return expired;
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
            return RunAccess.alreadyHandled(run);
        }
        ServiceConfig config = service.get();
        if (!access.allows(Permissions.Action.ROLL_BACK, userId, run, config)) {
            return access.refuseRole(Permissions.Action.ROLL_BACK, run, userId, config);
        }
        if (override && !access.allows(Permissions.Action.OVERRIDE, userId, run, config)) {
            return access.refuseRole(Permissions.Action.OVERRIDE, run, userId, config);
        }
        Optional<TargetState> state = run.assessment().flatMap(Assessment::primary);
        if (state.isEmpty()) {
            return access.refuse(run, userId, "the target's revisions could not be read when this card was made; "
                    + "run /rollback " + run.service() + " again for a fresh card", List.of());
        }
        String asked = revisionId.orElseGet(() -> state.get().previous().map(Revision::id).orElse(""));
        Optional<Revision> chosen = state.get().candidate(asked);
        if (chosen.isEmpty()) {
            String available = state.get().candidates().stream().map(Revision::label).collect(Collectors.joining(", "));
            return access.refuse(run, userId, asked.isEmpty()
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
                return access.refuse(run, userId, guardrail.get() + " Only an approver may override it", whoMayApprove(config));
            }
        }
        // A dry run changes nothing, so it holds no target: it must never block a real rollback.
        List<String> keys = run.dryRun() ? List.of() : config.targets().stream().map(Target::key).toList();
        RunRepository.Claim claim = runs.claim(runId, userId, to.id(), keys, clock.instant());
        if (claim instanceof RunRepository.Claim.StateChanged) {
            return RunAccess.alreadyHandled(runs.find(runId).orElse(run));
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
        timeline.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.REQUESTED, "Rollback to " + to.label()
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
        return new Decision.AwaitingApproval(standing.have(), standing.need(), Principal.ids(config.approval().approvers()));
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
            return RunAccess.alreadyHandled(run);
        }
        Permissions.Action action = breakGlass ? Permissions.Action.BREAK_GLASS : Permissions.Action.APPROVE;
        if (!access.allows(action, userId, run, config)) {
            return access.refuseRole(action, run, userId, config);
        }
        if (!policy.counts(userId, run.requestedBy(), config.approval())) {
            return access.refuse(run, userId, "asked for this rollback, and " + run.service()
                    + " needs the approval of someone else", whoMayApprove(config));
        }
        ApprovalPolicy.Standing before = standing(run, config);
        boolean glass = breakGlass && before.breakGlassAllowed();
        if (breakGlass && !glass && !before.enough()) {
            return access.refuse(run, userId, "break-glass is only allowed for an IMMEDIATE tier on a service with "
                    + "breakGlass: true, after one approval", List.of());
        }
        boolean added = approvalStore.addApproval(new Approval(runId, userId, clock.instant(), glass));
        if (!added && glass) {
            approvalStore.markBreakGlass(runId, userId);
        }
        if (!added && !glass) {
            ApprovalPolicy.Standing standing = standing(run, config);
            return new Decision.AwaitingApproval(standing.have(), standing.need(), Principal.ids(config.approval().approvers()));
        }
        audit.record(userId, glass ? "approved (break-glass)" : "approved", Optional.of(runId), run.service(),
                glass ? "proceeding on one approval because the tier is IMMEDIATE" : "");
        timeline.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.APPROVED, "Approved by " + Mentions.token(userId)
                + (glass ? " (break-glass: tier IMMEDIATE, one approval)" : "")));
        ApprovalPolicy.Standing after = standing(runs.find(runId).orElseThrow(), config);
        if (!after.enough() && !glass) {
            refreshCard(runId);
            return new Decision.AwaitingApproval(after.have(), after.need(), Principal.ids(config.approval().approvers()));
        }
        Instant approvedAt = clock.instant();
        if (!runs.transition(runId, RunState.AWAITING_APPROVAL, RunState.APPROVED, Optional.empty(), approvedAt)) {
            return RunAccess.alreadyHandled(runs.find(runId).orElse(run));
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
        return rollBackAs(runId, config, AutoRollback.ACTOR, "the automatic-rollback policy", Optional.empty(), true);
    }

    /**
     * A drill's own step, asked and approved by the drill: its rollback where {@code drills.approvals: 0}, and
     * always its restore, to {@code revisionId}. The restore skips the cooldown and attempt limits, which exist
     * against flapping and would otherwise keep a drill from undoing itself; both steps are audited as {@code drill}.
     */
    public Decision rollBackForDrill(String runId, ServiceConfig config, Optional<String> revisionId, boolean restore) {
        return rollBackAs(runId, config, DRILL_ACTOR, restore ? "the drill, restoring the revision that ran before"
                : "the drill", revisionId, !restore);
    }

    public static final String DRILL_ACTOR = "drill";

    private Decision rollBackAs(String runId, ServiceConfig config, String actor, String byWhom, Optional<String> revisionId,
                                boolean guardrails) {
        RollbackRun run = runs.find(runId).orElseThrow();
        if (run.state() != RunState.ASSESSED) {
            return RunAccess.alreadyHandled(run);
        }
        Optional<TargetState> state = run.assessment().flatMap(Assessment::primary);
        Optional<Revision> to = revisionId.isPresent() ? state.flatMap(s -> s.candidate(revisionId.get()))
                : run.assessment().flatMap(Assessment::previous);
        if (to.isEmpty()) {
            return new Decision.Refused(revisionId.map(id -> "revision " + id + " is not in the history of " + run.service())
                    .orElse(run.service() + " has no earlier revision to roll back to"));
        }
        Optional<String> guardrail = guardrails ? guardrail(config, runId, clock.instant()) : Optional.empty();
        if (guardrail.isPresent()) {
            audit.record(actor, "refused", Optional.of(runId), run.service(), guardrail.get());
            return new Decision.Refused(guardrail.get());
        }
        List<String> keys = config.targets().stream().map(Target::key).toList();
        RunRepository.Claim claim = runs.claim(runId, actor, to.get().id(), keys, clock.instant());
        if (!(claim instanceof RunRepository.Claim.Claimed)) {
            return claim instanceof RunRepository.Claim.TargetBusy busy
                    ? new Decision.AlreadyHandled(run.service() + " is already being rolled back (run " + busy.runId() + ")")
                    : RunAccess.alreadyHandled(runs.find(runId).orElse(run));
        }
        audit.record(actor, "rollback requested", Optional.of(runId), run.service(), "to " + to.get().label()
                + " (" + to.get().imagesText() + ") by " + byWhom + (guardrails ? "" : "; cooldown and attempt limits skipped"));
        timeline.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.REQUESTED, "Rollback to " + to.get().label()
                + " requested by " + byWhom));
        approvalStore.addApproval(new Approval(runId, actor, clock.instant(), false));
        audit.record(actor, "approved", Optional.of(runId), run.service(), "by " + byWhom);
        timeline.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.APPROVED, "Approved by " + byWhom));
        Instant approvedAt = clock.instant();
        if (!runs.transition(runId, RunState.AWAITING_APPROVAL, RunState.APPROVED, Optional.empty(), approvedAt)) {
            return RunAccess.alreadyHandled(runs.find(runId).orElse(run));
        }
        observer.approved(run, approvedAt);
        audit.record("rewind", "transition", Optional.of(runId), run.service(), "AWAITING_APPROVAL → APPROVED");
        queueCardAndRoom(runId, config.incidentChannel() != IncidentPolicy.NEVER);
        executor.start(runId);
        return new Decision.Accepted("Rolling back " + run.service() + " by " + byWhom + ".");
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
        String outcome = "Dismissed by " + Mentions.token(userId) + reason.filter(r -> !r.isBlank()).map(r -> ": " + RunOpenings.words(r))
                .orElse("");
        boolean done;
        if (config.isEmpty()) {
            // Nobody can act on a service that left rewind.yml; closing its card changes nothing anywhere.
            done = runs.transition(runId, RunState.ASSESSED, RunState.ABORTED, Optional.of(outcome), clock.instant())
                    || runs.transition(runId, RunState.AWAITING_APPROVAL, RunState.ABORTED, Optional.of(outcome), clock.instant());
        } else {
            ApprovalRules rules = config.get().approval();
            Set<Permissions.Role> roles = policy.roles(userId, rules, RunAccess.opener(run));
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
                        && !access.allows(Permissions.Action.DISMISS, userId, now, config.get())) {
                    return access.refuseRole(Permissions.Action.DISMISS, now, userId, config.get());
                }
            }
        }
        if (!done) {
            return RunAccess.alreadyHandled(runs.find(runId).orElse(run));
        }
        audit.record(userId, "dismissed", Optional.of(runId), run.service(), reason.orElse(""));
        if (run.autoAt().isPresent()) {
            runs.takeAuto(runId, run.autoAt().get(), "Automatic rollback cancelled: the card was dismissed");
        }
        timeline.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.DISMISSED, outcome));
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
                .filter(config -> !access.allows(Permissions.Action.DISMISS, userId, run.get(), config))
                .map(config -> access.refuseRole(Permissions.Action.DISMISS, run.get(), userId, config));
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

    /** Cooldown and attempt limits for another run of the service; empty when the rollback may go ahead. */
    private Optional<String> guardrail(ServiceConfig config, String runId, Instant now) {
        List<RollbackRun> recent = runs.startedSince(config.name(), now.minus(config.guardrails().attemptsWindow())).stream()
                .filter(r -> !r.id().equals(runId)).toList();
        return Guardrails.stop(config.name(), config.guardrails(), recent, now);
    }

    private static List<String> whoMayApprove(ServiceConfig config) {
        return Principal.ids(config.approval().approvers());
    }

}
