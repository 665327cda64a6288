package dev.rewind.rollback;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.TargetView;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import dev.rewind.incident.IncidentChannel;
import dev.rewind.incident.ReportFiler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries an approved run to its end: EXECUTING (each step of the plan through its adapter, with a
 * timeout), VERIFYING (recovery confirmed), then SUCCEEDED or FAILED. Holds a lease on the run while
 * it works, so a second replica or a restarted process never executes it twice; on start-up it picks
 * up runs whose lease has run out.
 */
public final class RunExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(RunExecutor.class);
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration STALE_APPROVAL = Duration.ofMinutes(15);

    private final Catalogues catalogues;
    private final AdapterRegistry adapters;
    private final RunRepository runs;
    private final AuditLog audit;
    private final Verifier verifier;
    private final RunViews views;
    private final IncidentChannel channel;
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final String owner;
    private final String reclaimPrefix;
    private final RunObserver observer;
    private final ReportFiler reports;
    private final FollowUpTasks followUps;
    private final java.util.Set<String> driving = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> lostLeases = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Lease renewals get a thread of their own: nothing slow on the shared timers may let a lease run out. */
    private final ScheduledExecutorService leaseTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "rewind-leases");
        thread.setDaemon(true);
        return thread;
    });

    public RunExecutor(Catalogues catalogues, AdapterRegistry adapters, RunRepository runs, AuditLog audit,
                       Verifier verifier, RunViews views, IncidentChannel channel, ExecutorService workers,
                       ScheduledExecutorService timers, Clock clock, Owner owner, RunObserver observer,
                       ReportFiler reports, FollowUpTasks followUps) {
        this.catalogues = catalogues;
        this.adapters = adapters;
        this.runs = runs;
        this.audit = audit;
        this.verifier = verifier;
        this.views = views;
        this.channel = channel;
        this.workers = workers;
        this.timers = timers;
        this.clock = clock;
        this.owner = owner.name();
        this.reclaimPrefix = owner.host() + "/";
        this.observer = observer;
        this.reports = reports;
        this.followUps = followUps;
    }

    /**
     * Who executes: {@code host/pid/nonce}. A process finding a lease held by another process of the same
     * host knows that process is gone (a host runs one Rewind) and takes the run over at once.
     */
    public record Owner(String host, String name) {
        public static Owner of(String host, String pid) {
            return new Owner(host, host + "/" + pid + "/" + java.util.UUID.randomUUID().toString().substring(0, 8));
        }
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
            if (runs.lease(run.id(), owner, takeOverFrom(run.id()), clock.instant().plus(LEASE), clock.instant())) {
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
            Instant now = clock.instant();
            if (!runs.lease(runId, owner, owner, now.plus(LEASE), now)) {
                LOG.info("run {} is being executed by another Rewind process", runId);
                return;
            }
            lostLeases.remove(runId);
            ScheduledFuture<?> renewal = leaseTimer.scheduleWithFixedDelay(() -> renew(runId),
                    LEASE.toSeconds() / 4, LEASE.toSeconds() / 4, TimeUnit.SECONDS);
            try {
                driveLeased(runId, resumed);
            } finally {
                renewal.cancel(false);
            }
        } finally {
            driving.remove(runId);
        }
    }

    /** Renews a lease; a renewal refused (another process took the run) stops this one at its next step. */
    private void renew(String runId) {
        try {
            if (!runs.lease(runId, owner, owner, clock.instant().plus(LEASE), clock.instant())) {
                LOG.warn("run {}: the lease went to another Rewind process; this one stops at its next step", runId);
                lostLeases.add(runId);
            }
        } catch (RuntimeException e) {
            LOG.warn("run {}: renewing the lease failed ({}); trying again", runId, e.getMessage());
        }
    }

    /**
     * Whose lease may be taken over at once: a holder on this host whose process is gone (its pid is not
     * alive, or is ours because we replaced it in a container). Anyone else's lease must run out first.
     */
    private String takeOverFrom(String runId) {
        Optional<String> holder = runs.leaseHolder(runId);
        if (holder.isEmpty() || holder.get().equals(owner) || !holder.get().startsWith(reclaimPrefix)) {
            return owner;
        }
        String[] parts = holder.get().split("/");
        try {
            long pid = Long.parseLong(parts[1]);
            boolean gone = pid == ProcessHandle.current().pid()
                    || ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
            return gone ? holder.get() : owner;
        } catch (RuntimeException e) {
            return owner;
        }
    }

    /** Whether this process must stop working on the run because another one holds it now. */
    private boolean lostLease(String runId) {
        if (lostLeases.contains(runId)) {
            runs.append(new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE,
                    "Another Rewind process took this rollback over; this one stopped"));
            return true;
        }
        return false;
    }

    private void driveLeased(String runId, boolean resumed) {
        try {
            RollbackRun run = runs.find(runId).orElseThrow();
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
                if (startedNow && !unchangedSinceTheCard(run, service.get())) {
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

    /**
     * Before anything changes: every target must still be at the revision the card showed (or already
     * at the one it goes to). A redeploy since the card, a fix shipped during a policy countdown, or an
     * approval given days later must not roll back something nobody looked at.
     *
     * @return whether the run may go on (otherwise it has failed with the reason)
     */
    private boolean unchangedSinceTheCard(RollbackRun run, ServiceConfig service) {
        for (Step step : steps(run, service)) {
            if (step.from().isEmpty() || step.error().isPresent()) {
                continue;
            }
            Revision then = step.from().get();
            Revision now;
            try {
                now = adapters.forTarget(step.target()).describe(step.target()).current();
            } catch (RuntimeException e) {
                fail(run, RunState.EXECUTING, step.target().describe() + " could not be read before the change: "
                        + e.getMessage() + ". Nothing was changed.");
                return false;
            }
            boolean alreadyThere = step.to().map(to -> to.id().equals(now.id())).orElse(false);
            if (!now.id().equals(then.id()) && !alreadyThere) {
                fail(run, RunState.EXECUTING, step.target().describe() + " changed since the card was made: it runs "
                        + now.label() + " (" + now.imagesText() + "), the card showed " + then.label()
                        + ". Nothing was changed; Retry assesses it again.");
                return false;
            }
        }
        return true;
    }

    /** @return whether the run reached VERIFYING */
    private boolean execute(RollbackRun run, ServiceConfig service) throws InterruptedException {
        List<Step> steps = steps(run, service);
        List<String> waitingOnPeople = new ArrayList<>();
        java.util.Map<Integer, RunRepository.FinishedStep> done = runs.stepsDone(run.id());
        for (int i = 0; i < steps.size(); i++) {
            if (lostLease(run.id())) {
                return false;
            }
            Step step = steps.get(i);
            String prefix = steps.size() > 1 ? "Step " + (i + 1) + "/" + steps.size() + " " : "";
            RunRepository.FinishedStep finished = done.get(i);
            // A step still waiting for people (a pull request) is run again: that only finds what it made, and
            // lets its adapter see it again for verification.
            if (finished != null && finished.live() && finished.targetKey().equals(step.target().id())) {
                event(run.id(), RunEvent.Kind.STEP, prefix + step.target().describe() + ": finished before the restart ("
                        + finished.summary() + "); not run again");
                continue;
            }
            if (step.error().isPresent()) {
                fail(run, RunState.EXECUTING, prefix + step.target().describe() + ": " + step.error().get()
                        + doneSoFar(steps, i));
                return false;
            }
            Progress progress = message -> event(run.id(), RunEvent.Kind.STEP, prefix + message);
            event(run.id(), RunEvent.Kind.STEP, prefix + step.target().describe() + " → " + step.label());
            Duration timeout = service.guardrails().executeTimeout();
            try {
                Change change = new Change(run.id(), run.service(), run.environment(), step.revisionId(),
                        step.from(), step.to(), run.reason(), run.requestedBy().orElse(run.askedBy()));
                Outcome outcome = withTimeout(() -> adapters.forTarget(step.target())
                        .execute(step.target(), change, progress, timeout), timeout.plusSeconds(5));
                audit.record("rewind", "adapter step", Optional.of(run.id()), run.service(),
                        step.target().describe() + ": " + outcome.summary() + (outcome.recorded().isEmpty() ? ""
                                : " " + outcome.recorded()));
                event(run.id(), RunEvent.Kind.STEP, prefix + outcome.summary());
                // The follow-up first: a step recorded as done is not run again, so it could not leave one later.
                leaveFollowUp(run, i, step, outcome);
                runs.stepDone(run.id(), new RunRepository.FinishedStep(i, step.target().id(), outcome.summary(),
                        outcome.live()), clock.instant());
                if (!outcome.live()) {
                    waitingOnPeople.add(step.target().describe());
                }
            } catch (AdapterException e) {
                fail(run, RunState.EXECUTING, prefix + step.target().describe() + ": " + e.getMessage() + doneSoFar(steps, i));
                return false;
            } catch (TimeoutException e) {
                fail(run, RunState.EXECUTING, prefix + step.target().describe() + ": no result within "
                        + DurationText.format(timeout) + doneSoFar(steps, i));
                return false;
            }
        }
        if (!runs.transition(run.id(), RunState.EXECUTING, RunState.VERIFYING, Optional.empty(), clock.instant())) {
            return false;
        }
        audit.record("rewind", "transition", Optional.of(run.id()), run.service(), "EXECUTING → VERIFYING");
        if (waitingOnPeople.isEmpty()) {
            event(run.id(), RunEvent.Kind.TRAFFIC_RESTORED, "Change applied: traffic is on " + plan(run, service));
        } else {
            event(run.id(), RunEvent.Kind.STEP, "Change requested, not live yet: " + String.join(", ", waitingOnPeople)
                    + " waits for people; verification watches for it to take effect");
        }
        return true;
    }

    /** Keeps what the step left for after the incident, so the card can offer it whatever the run's end. */
    private void leaveFollowUp(RollbackRun run, int index, Step step, Outcome outcome) {
        adapters.forTarget(step.target()).followUp(step.target(), outcome.recorded()).ifPresent(followUp -> {
            followUps.add(new FollowUpTask(FollowUpTask.idOf(run.id(), index), run.id(), index, step.target().id(),
                    followUp.action(), followUp.description(), outcome.recorded(), clock.instant(), Optional.empty()));
            event(run.id(), RunEvent.Kind.NOTE, "Follow-up offered on the card: " + followUp.description());
        });
    }

    private void verify(RollbackRun run, ServiceConfig service) throws InterruptedException {
        event(run.id(), RunEvent.Kind.VERIFYING, "Verifying recovery (" + (service.signals().isEmpty() || !verifier.judgesSignals()
                ? "target health" : service.verification().checks() + " checks, "
                + DurationText.format(service.verification().interval()) + " apart") + ")");
        Verifier.Result result = verifier.verify(service, run.assessment(),
                message -> event(run.id(), RunEvent.Kind.STEP, message), samples -> runs.recordSamples(run.id(), samples));
        if (result.recovered()) {
            if (runs.events(run.id()).stream().noneMatch(e -> e.kind() == RunEvent.Kind.TRAFFIC_RESTORED)) {
                event(run.id(), RunEvent.Kind.TRAFFIC_RESTORED, "Change in effect: traffic is on " + plan(run, service));
            }
            String outcome = "Rolled back to " + run.to().map(Revision::label).orElse(run.toRevision().orElse("?"))
                    + ". " + Mentions.neutralise(result.summary());
            if (runs.transition(run.id(), RunState.VERIFYING, RunState.SUCCEEDED, Optional.of(outcome), clock.instant())) {
                audit.record("rewind", "transition", Optional.of(run.id()), run.service(), "VERIFYING → SUCCEEDED");
                event(run.id(), RunEvent.Kind.STABLE, outcome);
                finished(run.id());
            }
        } else {
            fail(run, RunState.VERIFYING, result.summary());
        }
    }

    private void finishDryRun(RollbackRun run, ServiceConfig service) {
        String outcome = "Dry run: would roll back " + plan(run, service) + ". Nothing was changed.";
        if (runs.transition(run.id(), RunState.APPROVED, RunState.ABORTED, Optional.of(outcome), clock.instant())) {
            audit.record("rewind", "dry run", Optional.of(run.id()), run.service(), outcome);
            event(run.id(), RunEvent.Kind.NOTE, outcome);
            runs.find(run.id()).ifPresent(done -> reports.file(views.view(done)));
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
        Instant now = clock.instant();
        runs.lease(runId, owner, owner, now, now);
        runs.append(new RunEvent(runId, now, RunEvent.Kind.NOTE,
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
            reports.file(views.view(run));
        });
    }

    private void event(String runId, RunEvent.Kind kind, String message) {
        // Steps carry adapters' and receivers' words: they may name no one (Rewind's own sentences here have no tokens).
        RunEvent event = new RunEvent(runId, clock.instant(), kind, Mentions.neutralise(message));
        runs.append(event);
        views.progress(event);
    }

    private <T> T withTimeout(java.util.function.Supplier<T> work, Duration timeout)
            throws TimeoutException, InterruptedException {
        CompletableFuture<T> future = CompletableFuture.supplyAsync(work, workers);
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AdapterException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw e;
        }
    }

    /** One target of the plan and the revision it goes to, or why it cannot. */
    record Step(Target target, String revisionId, String label, Optional<Revision> from, Optional<Revision> to,
                Optional<String> error) {
    }

    static List<Step> steps(RollbackRun run, ServiceConfig service) {
        List<Step> steps = new ArrayList<>();
        List<TargetView> views = run.assessment().map(Assessment::targets).orElse(List.of());
        for (int i = 0; i < service.targets().size(); i++) {
            Target target = service.targets().get(i);
            Optional<TargetState> state = i < views.size() ? views.get(i).state() : Optional.empty();
            if (state.isEmpty()) {
                steps.add(new Step(target, "", "", Optional.empty(), Optional.empty(),
                        Optional.of("its state could not be read when the card was made")));
                continue;
            }
            Optional<Revision> revision = i == 0 ? run.to() : state.get().previous();
            if (revision.isEmpty()) {
                steps.add(new Step(target, "", "", Optional.of(state.get().current()), Optional.empty(),
                        Optional.of("no earlier revision to go back to")));
                continue;
            }
            steps.add(new Step(target, revision.get().id(), revision.get().label(), Optional.of(state.get().current()),
                    revision, Optional.empty()));
        }
        return steps;
    }

    private static String plan(RollbackRun run, ServiceConfig service) {
        List<String> parts = new ArrayList<>();
        for (Step step : steps(run, service)) {
            parts.add(step.target().describe() + (step.label().isEmpty() ? "" : " → " + step.label()));
        }
        return String.join(", then ", parts);
    }

    private static String doneSoFar(List<Step> steps, int failedIndex) {
        if (steps.size() < 2) {
            return "";
        }
        List<String> done = steps.subList(0, failedIndex).stream().map(s -> s.target().describe()).toList();
        List<String> notDone = steps.subList(failedIndex + 1, steps.size()).stream().map(s -> s.target().describe()).toList();
        return ". Done: " + (done.isEmpty() ? "none" : String.join(", ", done))
                + "; not done: " + (notDone.isEmpty() ? "none" : String.join(", ", notDone));
    }
}
