package dev.rewind.drill;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Revision;
import dev.rewind.assess.Assessment;
import dev.rewind.config.DrillSchedule;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Target;
import dev.rewind.rollback.ApprovalPolicy;
import dev.rewind.rollback.AuditLog;
import dev.rewind.rollback.Catalogues;
import dev.rewind.rollback.Decision;
import dev.rewind.rollback.IncidentChannel;
import dev.rewind.rollback.Mentions;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RollbackService;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunIds;
import dev.rewind.rollback.RunObserver;
import dev.rewind.rollback.RunOpenings;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.RunTimeline;
import dev.rewind.rollback.RunView;
import dev.rewind.rollback.RunViews;
import dev.rewind.rollback.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Drills: a real rollback of a service's target, then a restore to the revision that ran before, both through
 * the engine (card, approvals unless {@code drills.approvals: 0} outside production, incident room marked DRILL,
 * verification), measured against the recovery target and the tier's deadline. A drill never starts while the
 * service has an open card, never closes another card, and yields to a real incident: an undecided drill card is
 * closed when one opens, and a drill whose rollback finished during one stops before restoring, saying so. A
 * restore that fails is said loudly, with the way back.
 *
 * <p>Longer than most classes: the drill's whole life (start, the two steps, the report, the schedule, yielding) is
 * one story, told here in order.
 */
public final class Drills implements RunObserver {

    private static final Logger LOG = LoggerFactory.getLogger(Drills.class);
    /** A schedule's time missed by more than this (the bot was down) is skipped, not run late. */
    static final Duration SCHEDULE_GRACE = Duration.ofMinutes(10);

    private final Catalogues catalogues;
    private final AdapterRegistry adapters;
    private final DrillStore store;
    private final RunOpenings openings;
    private final RollbackService rollbacks;
    private final RunRepository runs;
    private final RunTimeline timeline;
    private final RunViews views;
    private final ApprovalPolicy policy;
    private final IncidentChannel channel;
    private final AuditLog audit;
    private final DrillMetrics metrics;
    private final Executor work;
    private final Clock clock;

    public Drills(Catalogues catalogues, AdapterRegistry adapters, DrillStore store, RunOpenings openings, RollbackService rollbacks,
                  RunRepository runs, RunTimeline timeline, RunViews views, ApprovalPolicy policy, IncidentChannel channel,
                  AuditLog audit, DrillMetrics metrics, Executor work, Clock clock) {
        this.catalogues = catalogues;
        this.adapters = adapters;
        this.store = store;
        this.openings = openings;
        this.rollbacks = rollbacks;
        this.runs = runs;
        this.timeline = timeline;
        this.views = views;
        this.policy = policy;
        this.channel = channel;
        this.audit = audit;
        this.metrics = metrics;
        this.work = work;
        this.clock = clock;
    }

    /** How a request for a drill went. */
    public sealed interface Started {
        record Accepted(Drill drill, RollbackRun run) implements Started {
        }

        record Refused(String reason) implements Started {
        }
    }

    /** Why a drill of {@code service} cannot start now, if it cannot. */
    public Optional<String> refusal(ServiceConfig service) {
        ServiceConfig.Drills drills = service.drills();
        if (!drills.allowed()) {
            return Optional.of("drills are not allowed in " + service.environment() + " (drills: {allowed: false}"
                    + (service.environment().equals("production") ? ", the default for production" : "")
                    + "); set drills: {allowed: true} on the service or its environment to rehearse it there");
        }
        List<Target> targets = service.targets();
        if (targets.size() > 1) {
            return Optional.of(service.name() + " is a plan of " + targets.size() + " steps: a drill rehearses one target, "
                    + "so drill a service per step instead");
        }
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            String step = targets.size() == 1 ? target.type() : "step " + (i + 1) + " (" + target.type() + ")";
            Optional<String> why = adapters.forTarget(target).notDrillable(target);
            if (why.isPresent()) {
                return Optional.of(step + " is not drillable: " + why.get());
            }
            if (adapters.destructive(target.type()) && (service.environment().equals("production") || !drills.destructive())) {
                return Optional.of(step + " is destructive: it is drilled only outside production, on a service that says "
                        + "drills: {destructive: true} (a non-production database)");
            }
        }
        Optional<Drill> running = store.active(service.name());
        if (running.isPresent()) {
            return Optional.of("a drill of " + service.name() + " is already under way (drill " + running.get().id() + ")");
        }
        Optional<RollbackRun> open = runs.openForService(service.name()).stream().filter(r -> !r.dryRun()).findFirst();
        return open.map(run -> service.name() + " has an open card (run " + run.id() + ", "
                + run.state().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "): a drill never runs while an incident "
                + "holds the target");
    }

    /**
     * Starts a drill: the rollback's card, marked DRILL, approved by the drill itself where {@code drills.approvals: 0}.
     *
     * @param source       {@code command} or {@code schedule}
     * @param scheduledFor the schedule's time, for a scheduled drill (each one runs once, on one replica)
     */
    public Started start(ServiceConfig service, String requestedBy, Optional<String> revision, String source,
                         Optional<Instant> scheduledFor) {
        if (source.equals("command") && !policy.mayRequest(requestedBy, service.approval())) {
            audit.record(requestedBy, "refused", Optional.empty(), service.name(), "may not start a drill");
            return new Started.Refused("only " + service.name() + "'s requesters and approvers may start a drill of it");
        }
        Instant now = clock.instant();
        Optional<String> refused = refusal(service);
        String id = RunIds.next().replace("rb-", "dr-");
        if (refused.isPresent()) {
            // A scheduled drill that cannot run is listed as stopped, so it is seen and not tried again every minute.
            scheduledFor.ifPresent(slot -> {
                if (store.insert(new Drill(id, service.name(), requestedBy, source, "", "", Optional.empty(), Optional.empty(),
                        DrillState.STOPPED, now, scheduledFor, Optional.of(now), Optional.of("Not started: " + refused.get()),
                        Optional.empty()))) {
                    channel.announce(service.channel(), ":test_tube: The scheduled drill of *" + service.name()
                            + "* did not start: " + refused.get());
                }
            });
            audit.record(requestedBy, "drill refused", Optional.empty(), service.name(), refused.get());
            return new Started.Refused(refused.get());
        }
        if (!store.insert(new Drill(id, service.name(), requestedBy, source, "", "", Optional.empty(), Optional.empty(),
                DrillState.ROLLING_BACK, now, scheduledFor, Optional.empty(), Optional.empty(), Optional.empty()))) {
            return new Started.Refused("this scheduled drill already ran");
        }
        audit.record(requestedBy, "drill started", Optional.empty(), service.name(), "drill " + id + " (" + source + ")");
        RollbackRun run = openings.openRun(service, new RunOpenings.Opening(Trigger.DRILL, requestedBy,
                "rehearsing a rollback; Rewind restores the live revision afterwards (drill " + id + ")", Set.of(), false,
                service.channel(), revision, Optional.empty())).run();
        Optional<Revision> live = run.assessment().flatMap(Assessment::current);
        store.linkRun(id, run.id(), live.map(Revision::id).orElse(""), live.map(Revision::label).orElse("?"));
        Drill drill = store.find(id).orElseThrow();
        if (live.isEmpty() || run.assessment().flatMap(Assessment::previous).isEmpty()) {
            stopRun(run, "Closed: the drill cannot run: " + service.name() + " has no earlier revision to roll back to");
            end(drill, service, DrillState.FAILED, List.of("Not run: " + service.name()
                    + " has no earlier revision to roll back to (readiness: /rollback ready " + service.name() + ")"), Optional.empty());
            return new Started.Refused(service.name() + " has no earlier revision to roll back to");
        }
        if (!service.drills().needsApproval()) {
            Decision decision = rollbacks.rollBackForDrill(run.id(), service, revision, false);
            if (!(decision instanceof Decision.Accepted)) {
                String why = why(decision);
                stopRun(run, "Closed: the drill could not start its rollback: " + why);
                end(drill, service, DrillState.STOPPED, List.of("Not run: " + why), Optional.empty());
                return new Started.Refused(why);
            }
        }
        return new Started.Accepted(store.find(id).orElse(drill), runs.find(run.id()).orElse(run));
    }

    @Override
    public void finished(RollbackRun run, String adapterType) {
        if (run.trigger() == Trigger.DRILL) {
            store.byRun(run.id()).ifPresent(drill -> work.execute(() -> guarded(() -> afterStep(drill.id(), run.id()))));
        }
    }

    @Override
    public void closed(RunView view) {
        RollbackRun run = view.run();
        if (run.trigger() == Trigger.DRILL && run.state() == RunState.ABORTED) {
            store.byRun(run.id()).filter(d -> d.state() == DrillState.ROLLING_BACK).ifPresent(drill ->
                    catalogues.service(drill.service()).ifPresent(service -> end(drill, service, DrillState.STOPPED,
                            List.of("Stopped before the rollback: " + run.outcome().orElse("the card was dismissed")),
                            Optional.empty())));
        }
    }

    private void afterStep(String drillId, String runId) {
        Drill drill = store.find(drillId).orElseThrow();
        RollbackRun run = runs.find(runId).orElseThrow();
        Optional<ServiceConfig> found = catalogues.service(drill.service());
        if (found.isEmpty() || drill.state().over()) {
            return;
        }
        ServiceConfig service = found.get();
        boolean changed = run.state() == RunState.SUCCEEDED || run.state() == RunState.NOT_RECOVERED;
        if (drill.runId().filter(runId::equals).isPresent() && drill.state() == DrillState.ROLLING_BACK) {
            if (!changed) {
                end(drill, service, DrillState.FAILED, List.of("❌ The rollback step failed: " + run.outcome().orElse(run.state().name())
                        + ". Check " + service.name() + ": if it moved, `/rollback " + service.name() + " to " + drill.fromLabel()
                        + "` restores it."), Optional.empty());
                return;
            }
            Optional<RollbackRun> incident = realIncident(service.name());
            if (incident.isPresent()) {
                end(drill, service, DrillState.STOPPED, List.of(":rotating_light: Stopped before restoring: a real incident "
                        + "(run " + incident.get().id() + ") takes precedence. " + service.name() + " is on "
                        + run.toLabel().orElse("the older revision") + "; restore " + drill.fromLabel() + " with `/rollback "
                        + service.name() + " to " + drill.fromLabel() + "` once the incident allows."), Optional.empty());
                return;
            }
            restore(drill, service, run);
        } else if (drill.restoreRunId().filter(runId::equals).isPresent() && drill.state() == DrillState.RESTORING) {
            RollbackRun rollback = runs.find(drill.runId().orElseThrow()).orElseThrow();
            if (!changed) {
                restoreFailed(drill, service, rollback, run.outcome().orElse(run.state().name()));
                return;
            }
            DrillReport report = report(drill, service, rollback, Optional.of(run));
            List<String> lines = new java.util.ArrayList<>(report.lines());
            if (rollback.state() == RunState.NOT_RECOVERED) {
                lines.add("❌ The rollback's verification did not pass: " + rollback.outcome().orElse(""));
            }
            boolean passed = report.passed() && rollback.state() == RunState.SUCCEEDED;
            end(drill, service, passed ? DrillState.PASSED : DrillState.FAILED, lines, report.recovery());
        }
    }

    private void restore(Drill drill, ServiceConfig service, RollbackRun rollback) {
        RollbackRun restore = openings.openRun(service, new RunOpenings.Opening(Trigger.DRILL, drill.requestedBy(),
                "drill " + drill.id() + ": restoring " + drill.fromLabel() + ", the revision that ran before", Set.of(), false,
                service.channel(), Optional.of(drill.fromRevision()), Optional.empty())).run();
        if (!store.restoring(drill.id(), restore.id())) {
            stopRun(restore, "Closed: the drill already ended");
            return;
        }
        Decision decision = rollbacks.rollBackForDrill(restore.id(), service, Optional.of(drill.fromRevision()), true);
        if (!(decision instanceof Decision.Accepted)) {
            stopRun(restore, "Closed: the restore could not start: " + why(decision));
            restoreFailed(store.find(drill.id()).orElse(drill), service, rollback, why(decision));
        }
    }

    private void restoreFailed(Drill drill, ServiceConfig service, RollbackRun rollback, String why) {
        DrillReport report = report(drill, service, rollback, Optional.empty());
        List<String> lines = new java.util.ArrayList<>();
        lines.add(":rotating_light: *The restore failed: " + service.name() + " is left on " + rollback.toLabel()
                .orElse("the older revision") + ", not " + drill.fromLabel() + ".* " + why);
        lines.add("Restore " + drill.fromLabel() + ": an approver presses *Retry* on the restore card, or runs `/rollback "
                + service.name() + " to " + drill.fromLabel() + "`.");
        lines.addAll(report.lines());
        end(drill, service, DrillState.RESTORE_FAILED, lines, report.recovery());
    }

    private DrillReport report(Drill drill, ServiceConfig service, RollbackRun rollback, Optional<RollbackRun> restore) {
        List<RunEvent> events = timeline.events(rollback.id());
        Optional<Instant> card = first(events, RunEvent.Kind.ASSESSED);
        Optional<Instant> approved = events.stream().filter(e -> e.kind() == RunEvent.Kind.APPROVED).map(RunEvent::at)
                .reduce((a, b) -> b);
        Optional<Instant> traffic = first(events, RunEvent.Kind.TRAFFIC_RESTORED);
        Optional<Instant> verified = rollback.state() == RunState.SUCCEEDED || rollback.state() == RunState.NOT_RECOVERED
                ? rollback.finishedAt() : Optional.empty();
        Optional<Instant> restored = restore.filter(r -> r.state() == RunState.SUCCEEDED || r.state() == RunState.NOT_RECOVERED)
                .flatMap(RollbackRun::finishedAt);
        // A drill's numbers are usually calm (MONITOR has no deadline): it is then held to the FAST tier's deadline,
        // the incident it rehearses.
        String tier = rollback.assessment().map(a -> a.tier().name()).orElse("UNKNOWN");
        Optional<Duration> deadline = Optional.ofNullable(service.deadlines().get(tier));
        if (deadline.isEmpty()) {
            tier = "FAST (rehearsed)";
            deadline = Optional.ofNullable(service.deadlines().get("FAST"));
        }
        return new DrillReport(drill.startedAt(), card, approved, traffic, verified, restored, tier, deadline,
                service.drills().recoveryTarget());
    }

    private static Optional<Instant> first(List<RunEvent> events, RunEvent.Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).map(RunEvent::at).findFirst();
    }

    /** Ends the drill, posts its report (once) in the service's channel and counts it. */
    private void end(Drill drill, ServiceConfig service, DrillState state, List<String> lines, Optional<Duration> recovery) {
        String head = switch (state) {
            case PASSED -> ":white_check_mark: *Drill passed*";
            case FAILED -> ":x: *Drill failed*";
            case STOPPED -> ":double_vertical_bar: *Drill stopped*";
            case RESTORE_FAILED -> ":rotating_light: *Drill restore FAILED*";
            default -> "*Drill*";
        };
        String text = head + " — " + service.name() + " (drill " + drill.id() + ", " + who(drill.requestedBy()) + ")\n"
                + String.join("\n", lines);
        if (!store.end(drill.id(), state, text, recovery.map(Duration::toSeconds), clock.instant())) {
            return;
        }
        audit.record(RollbackService.DRILL_ACTOR, "drill ended", drill.runId(), service.name(),
                state.name().toLowerCase(Locale.ROOT) + ": " + String.join(" / ", lines));
        metrics.ended(service.name(), state, recovery);
        channel.announce(service.channel(), text);
    }

    private static String who(String requestedBy) {
        return requestedBy.matches("[UW][A-Z0-9]+") ? "by " + Mentions.token(requestedBy) : "by " + requestedBy;
    }

    /** The service's open card that is not a drill (nor a dry run): a real incident. */
    private Optional<RollbackRun> realIncident(String service) {
        return runs.openForService(service).stream().filter(r -> !r.dryRun() && r.trigger() != Trigger.DRILL).findFirst();
    }

    /** A step that ended this long ago without the drill moving on (a restart in between) is taken up again. */
    static final Duration STEP_PICKUP = Duration.ofSeconds(30);

    /**
     * Keeps drills moving, called periodically: a real incident takes precedence over a drill whose card is still
     * undecided (or awaiting approval), which is closed; a drill whose card was closed elsewhere stops; a step that
     * ended without the drill moving on (the process stopped in between) is taken up again. @return drills touched
     */
    public int tend() {
        int touched = 0;
        Instant now = clock.instant();
        for (Drill drill : store.active()) {
            Optional<String> stepId = drill.state() == DrillState.RESTORING ? drill.restoreRunId() : drill.runId();
            Optional<RollbackRun> step = stepId.flatMap(runs::find);
            Optional<ServiceConfig> service = catalogues.service(drill.service());
            if (step.isEmpty() || service.isEmpty()) {
                continue;
            }
            RollbackRun run = step.get();
            Optional<RollbackRun> incident = realIncident(drill.service());
            if (drill.state() == DrillState.ROLLING_BACK && incident.isPresent()
                    && (run.state() == RunState.ASSESSED || run.state() == RunState.AWAITING_APPROVAL)) {
                String why = "a real incident (run " + incident.get().id() + ") takes precedence";
                if (stopRun(run, "Closed: " + why)) {
                    end(drill, service.get(), DrillState.STOPPED, List.of("Stopped before the rollback: " + why + "."),
                            Optional.empty());
                    touched++;
                }
            } else if (drill.state() == DrillState.ROLLING_BACK && run.state() == RunState.ABORTED) {
                end(drill, service.get(), DrillState.STOPPED, List.of("Stopped before the rollback: "
                        + run.outcome().orElse("the card was closed")), Optional.empty());
                touched++;
            } else if (run.state().isFinal() && run.finishedAt().filter(at -> at.isBefore(now.minus(STEP_PICKUP))).isPresent()) {
                afterStep(drill.id(), run.id());
                touched++;
            }
        }
        return touched;
    }

    /** Starts each drill whose schedule time has come (within {@link #SCHEDULE_GRACE}); called every 15 s. */
    public int runScheduled() {
        Instant now = clock.instant();
        int started = 0;
        for (ServiceConfig service : catalogues.get().services()) {
            Optional<String> cron = service.drills().schedule().filter(c -> service.drills().allowed());
            Optional<Instant> slot = cron.flatMap(c -> DrillSchedule.lastAtOrBefore(c, now))
                    .filter(at -> !at.isBefore(now.minus(SCHEDULE_GRACE)));
            if (slot.isEmpty() || store.latest(Optional.of(service.name()), 20).stream()
                    .anyMatch(d -> d.scheduledFor().filter(slot.get()::equals).isPresent())) {
                continue;
            }
            if (start(service, "schedule", Optional.empty(), "schedule", slot) instanceof Started.Accepted) {
                started++;
            }
        }
        return started;
    }

    /** The latest drills, of one service or all, newest first. */
    public List<Drill> latest(Optional<String> service, int limit) {
        return store.latest(service, limit);
    }

    /** Closes a drill's card that is still undecided or awaiting approval. @return whether it was */
    private boolean stopRun(RollbackRun run, String why) {
        Instant now = clock.instant();
        boolean closed = runs.transition(run.id(), RunState.ASSESSED, RunState.ABORTED, Optional.of(why), now)
                || runs.transition(run.id(), RunState.AWAITING_APPROVAL, RunState.ABORTED, Optional.of(why), now);
        if (closed) {
            audit.record(RollbackService.DRILL_ACTOR, "closed", Optional.of(run.id()), run.service(), why);
            timeline.append(new RunEvent(run.id(), now, RunEvent.Kind.DISMISSED, why));
            views.refresh(run.id());
        }
        return closed;
    }

    private static String why(Decision decision) {
        return decision instanceof Decision.Refused refused ? refused.reason()
                : decision instanceof Decision.AlreadyHandled handled ? handled.message() : decision.toString();
    }

    private static void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("a drill's next step failed", e);
        }
    }
}
