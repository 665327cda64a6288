package dev.rewind.rollback;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Carries an approved run to its end: EXECUTING (each step of the plan through its adapter, with a
 * timeout), VERIFYING (recovery confirmed), then SUCCEEDED or FAILED. Holds a lease on the run while
 * it works, so a second replica or a restarted process never executes it twice; on start-up it picks
 * up runs whose lease has run out.
 */
public final class RunExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(RunExecutor.class);
    static final Duration STALE_APPROVAL = Duration.ofMinutes(15);

    private final Catalogues catalogues;
    private final RunRepository runs;
    private final RunTimeline timelineStore;
    private final AuditLog audit;
    private final Verifier verifier;
    private final RunViews views;
    private final IncidentChannel channel;
    private final ExecutorService workers;
    private final Clock clock;
    private final RunLease lease;
    private final RunObserver observer;
    private final PlanRunner plans;
    private final Timeline timeline;
    private final java.util.Set<String> driving = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param workers drives runs, and runs each adapter step so that its timeout can be enforced
     */
    public RunExecutor(Catalogues catalogues, AdapterRegistry adapters, RunRepository runs, RunTimeline timelineStore, AuditLog audit,
                       Verifier verifier, RunViews views, IncidentChannel channel, ExecutorService workers,
                       Clock clock, RunLease lease, RunObserver observer, FollowUpTasks followUps) {
        this.catalogues = catalogues;
        this.runs = runs;
        this.timelineStore = timelineStore;
        this.audit = audit;
        this.verifier = verifier;
        this.views = views;
        this.channel = channel;
        this.workers = workers;
        this.clock = clock;
        this.lease = lease;
        this.observer = observer;
        this.timeline = new Timeline(timelineStore, views, clock);
        this.plans = new PlanRunner(adapters, timelineStore, audit, followUps, timeline, workers, clock);
    }


    /** Starts an APPROVED run in the background. */
    public void start(String runId) {
        workers.submit(() -> drive(runId, false));
    }

    /**
     * Picks up runs that were left between approval and their end by a process that stopped, and
     * whose lease has run out. Each is driven to its end again; adapters are idempotent.
     *
     * @return the ids of the runs picked up
     */
    public List<String> resumeAbandoned() {
        List<String> resumed = new ArrayList<>();
        for (RollbackRun run : runs.inStates(java.util.EnumSet.of(RunState.APPROVED, RunState.EXECUTING,
                RunState.VERIFYING))) {
            if (driving.contains(run.id())) {
                continue;
            }
            if (lease.takeOver(run.id())) {
                resumed.add(run.id());
                if (staleApproval(run)) {
                    interrupt(run, "approved at " + run.updatedAt() + " but Rewind was not running to carry it out; "
                            + "nothing was changed. Assess again before rolling back");
                } else if (staleExecution(run)) {
                    interrupt(run, "Rewind stopped while this rollback was executing and was down too long to finish it "
                            + "blindly (started " + run.updatedAt() + "); check the target by hand and assess again");
                } else {
                    workers.submit(() -> drive(run.id(), true));
                }
            }
        }
        return resumed;
    }

    private void drive(String runId, boolean resumed) {
        if (!driving.add(runId)) {
            return;
        }
        try {
            MDC.put("run", runId);
            Optional<RunLease.Held> held = lease.hold(runId);
            if (held.isEmpty()) {
                LOG.info("run {} is being executed by another Rewind process", runId);
                return;
            }
            try (RunLease.Held renewing = held.get()) {
                driveLeased(runId, resumed);
            }
        } finally {
            driving.remove(runId);
            MDC.clear();
        }
    }



    /** Whether this process must stop working on the run because another one holds it now. */
    private boolean lostLease(String runId) {
        if (lease.lost(runId)) {
            timelineStore.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE,
                    "Another Rewind process took this rollback over; this one stopped"));
            return true;
        }
        return false;
    }

    private void driveLeased(String runId, boolean resumed) {
        try {
            RollbackRun run = runs.find(runId).orElseThrow();
            MDC.put("service", run.service());
            Optional<ServiceConfig> service = catalogues.service(run.service());
            if (service.isEmpty()) {
                fail(run, run.state(), run.service() + " is no longer in rewind.yml; nothing was changed by this process");
                return;
            }
            if (resumed) {
                announceResume(run);
            }
            boolean startedNow = false;
            if (run.state() == RunState.APPROVED) {
                if (run.dryRun()) {
                    finishDryRun(run, service.get());
                    return;
                }
                if (!runs.transition(runId, RunState.APPROVED, RunState.EXECUTING, Optional.empty(), clock.instant())) {
                    return;
                }
                audit.record("rewind", "transition", Optional.of(runId), run.service(), "APPROVED → EXECUTING");
                event(runId, RunEvent.Kind.STARTED, "Rollback started: " + plan(run, service.get()));
                run = runs.find(runId).orElseThrow();
                startedNow = true;
            }
            if (run.state() == RunState.EXECUTING) {
                Optional<String> changed = startedNow ? plans.changedSinceTheCard(run, service.get()) : Optional.empty();
                if (changed.isPresent()) {
                    fail(run, RunState.EXECUTING, changed.get());
                    return;
                }
                if (!execute(run, service.get())) {
                    return;
                }
                run = runs.find(runId).orElseThrow();
            }
            if (run.state() == RunState.VERIFYING && !lostLease(runId)) {
                verify(run, service.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handOver(runId);
        } catch (RuntimeException e) {
            LOG.error("run {} failed unexpectedly", runId, e);
            runs.find(runId).ifPresent(run -> fail(run, run.state(), "Rewind hit an internal error: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
        } finally {
            views.refresh(runId);
        }
    }

    private void announceResume(RollbackRun run) {
        String note = "Rewind restarted while this rollback was " + run.state().name().toLowerCase()
                + "; picking it up again.";
        event(run.id(), RunEvent.Kind.NOTE, note);
        run.card().ifPresent(card -> channel.announce(card.channel(), run.service() + ": " + note));
    }

    /** @return whether the run reached VERIFYING */
    private boolean execute(RollbackRun run, ServiceConfig service) throws InterruptedException {
        PlanRunner.Result result = plans.run(run, service, this::lostLease);
        if (result instanceof PlanRunner.Result.Failed failed) {
            fail(run, RunState.EXECUTING, failed.reason());
            return false;
        }
        if (!(result instanceof PlanRunner.Result.Applied applied)) {
            return false;
        }
        if (!runs.transition(run.id(), RunState.EXECUTING, RunState.VERIFYING, Optional.empty(), clock.instant())) {
            return false;
        }
        audit.record("rewind", "transition", Optional.of(run.id()), run.service(), "EXECUTING → VERIFYING");
        if (applied.waitingOnPeople().isEmpty()) {
            event(run.id(), RunEvent.Kind.TRAFFIC_RESTORED, "Change applied: traffic is on " + plan(run, service));
        } else {
            event(run.id(), RunEvent.Kind.STEP, "Change requested, not live yet: "
                    + String.join(", ", applied.waitingOnPeople())
                    + " waits for people; verification watches for it to take effect");
        }
        return true;
    }

    private void verify(RollbackRun run, ServiceConfig service) throws InterruptedException {
        event(run.id(), RunEvent.Kind.VERIFYING, "Verifying recovery (" + (service.signals().isEmpty() || !verifier.judgesSignals()
                ? "target health" : service.verification().checks() + " checks, "
                + DurationText.format(service.verification().interval()) + " apart") + ")");
        Verifier.Result result = verifier.verify(run.id(), service, run.assessment(),
                message -> event(run.id(), RunEvent.Kind.STEP, message), samples -> timelineStore.recordSamples(run.id(), samples));
        if (result.recovered()) {
            if (timelineStore.events(run.id()).stream().noneMatch(e -> e.kind() == RunEvent.Kind.TRAFFIC_RESTORED)) {
                event(run.id(), RunEvent.Kind.TRAFFIC_RESTORED, "Change in effect: traffic is on " + plan(run, service));
            }
            String outcome = "Rolled back to " + run.toLabel().orElse("?")
                    + ". " + Mentions.neutralise(result.summary());
            if (runs.transition(run.id(), RunState.VERIFYING, RunState.SUCCEEDED, Optional.of(outcome), clock.instant())) {
                audit.record("rewind", "transition", Optional.of(run.id()), run.service(), "VERIFYING → SUCCEEDED");
                event(run.id(), RunEvent.Kind.STABLE, outcome);
                finished(run.id());
            }
        } else if (result.outcome() == Verifier.Outcome.NOT_RECOVERED) {
            notRecovered(run, service, result);
        } else {
            fail(run, RunState.VERIFYING, result.summary());
        }
    }

    /** The change is in effect and kept, but the service is still failing: said plainly, and the on-call called. */
    private void notRecovered(RollbackRun run, ServiceConfig service, Verifier.Result result) {
        String to = run.toLabel().orElse("?");
        // No "after 0ms" when checks are not spaced (interval 0s): it would read as if nobody looked.
        String after = result.took().isZero() ? "" : " after " + DurationText.format(result.took());
        String outcome = "Rolled back to " + to + ", but " + Mentions.neutralise(result.summary()) + after
                + ": the deploy may not be the cause" + service.oncall().map(group -> ". " + Mentions.token(group)
                + ", please look").orElse("");
        if (runs.transition(run.id(), RunState.VERIFYING, RunState.NOT_RECOVERED, Optional.of(outcome), clock.instant())) {
            audit.record("rewind", "transition", Optional.of(run.id()), run.service(), "VERIFYING → NOT_RECOVERED: " + outcome);
            // Written as is, not through event(): the summary is neutralised above, and the on-call mention must ping.
            RunEvent said = new RunEvent(run.id(), clock.instant(), RunEvent.Kind.FAILED, "Not recovered: " + outcome);
            timelineStore.append(said);
            views.progress(said);
            finished(run.id());
        }
    }

    private void finishDryRun(RollbackRun run, ServiceConfig service) {
        String outcome = "Dry run: would roll back " + plan(run, service) + ". Nothing was changed.";
        if (runs.transition(run.id(), RunState.APPROVED, RunState.ABORTED, Optional.of(outcome), clock.instant())) {
            audit.record("rewind", "dry run", Optional.of(run.id()), run.service(), outcome);
            event(run.id(), RunEvent.Kind.NOTE, outcome);
            runs.find(run.id()).ifPresent(done -> observer.closed(views.view(done)));
        }
    }

    private void fail(RollbackRun run, RunState from, String adapterText) {
        String reason = Mentions.neutralise(adapterText);
        if (!from.canMoveTo(RunState.FAILED)) {
            if (from.canMoveTo(RunState.INTERRUPTED)) {
                interrupt(run, reason);
            }
            return;
        }
        if (runs.transition(run.id(), from, RunState.FAILED, Optional.of(reason), clock.instant())) {
            audit.record("rewind", "transition", Optional.of(run.id()), run.service(), from + " → FAILED: " + reason);
            event(run.id(), RunEvent.Kind.FAILED, "Failed: " + reason);
            finished(run.id());
        }
    }

    /** Shutting down mid-run: the run stays where it is and its lease is released for the next process. */
    private void handOver(String runId) {
        lease.release(runId);
        timelineStore.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE,
                "Rewind stopped while this rollback was running; the next Rewind process picks it up"));
    }

    /** An approval that was never acted on while Rewind was down is not carried out later: the world may have moved on. */
    private boolean staleApproval(RollbackRun run) {
        return run.state() == RunState.APPROVED && run.updatedAt().isBefore(clock.instant().minus(STALE_APPROVAL));
    }

    /** A change left half-done for longer than its step could take plus a margin is not picked up again. */
    private boolean staleExecution(RollbackRun run) {
        if (run.state() != RunState.EXECUTING) {
            return false;
        }
        Duration allowed = catalogues.service(run.service()).map(s -> s.guardrails().executeTimeout())
                .orElse(Duration.ZERO).plus(STALE_APPROVAL);
        return run.updatedAt().isBefore(clock.instant().minus(allowed));
    }

    private void interrupt(RollbackRun run, String adapterText) {
        String reason = Mentions.neutralise(adapterText);
        if (runs.transition(run.id(), run.state(), RunState.INTERRUPTED, Optional.of(reason), clock.instant())) {
            audit.record("rewind", "transition", Optional.of(run.id()), run.service(), run.state() + " → INTERRUPTED: " + reason);
            event(run.id(), RunEvent.Kind.FAILED, "Interrupted: " + reason);
            run.card().ifPresent(card -> channel.announce(card.channel(), run.service() + ": " + reason));
            finished(run.id());
        }
    }

    private void finished(String runId) {
        runs.find(runId).ifPresent(run -> {
            String type = catalogues.service(run.service()).map(s -> s.primaryTarget().type()).orElse("unknown");
            observer.finished(run, type);
            observer.closed(views.view(run));
        });
    }

    private void event(String runId, RunEvent.Kind kind, String message) {
        timeline.add(runId, kind, message);
    }

    private static String plan(RollbackRun run, ServiceConfig service) {
        return PlanRunner.describe(run, service);
    }
}
