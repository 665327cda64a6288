package dev.rewind.rollback;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.TargetState;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.TargetView;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Target;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Carries out a run's plan, step by step through each target's adapter: the re-read before anything
 * changes, each step under the service's timeout, finished steps recorded (and skipped after a
 * restart), what an adapter leaves for people kept as a follow-up. It never moves the run's state:
 * it says how the plan went and the executor does the rest.
 */
final class PlanRunner {

    /** How a plan went. */
    sealed interface Result {
        /** Every step done; {@code waitingOnPeople} names the targets whose change is requested but not live. */
        record Applied(List<String> waitingOnPeople) implements Result {
        }

        /** A step could not be done; nothing after it was tried. */
        record Failed(String reason) implements Result {
        }

        /** Another process took the run over; this one stopped between steps. */
        record Stopped() implements Result {
        }
    }

    private final AdapterRegistry adapters;
    private final RunTimeline runs;
    private final AuditLog audit;
    private final FollowUpTasks followUps;
    private final Timeline timeline;
    private final ExecutorService workers;
    private final Clock clock;

    PlanRunner(AdapterRegistry adapters, RunTimeline runs, AuditLog audit, FollowUpTasks followUps, Timeline timeline,
               ExecutorService workers, Clock clock) {
        this.adapters = adapters;
        this.runs = runs;
        this.audit = audit;
        this.followUps = followUps;
        this.timeline = timeline;
        this.workers = workers;
        this.clock = clock;
    }

    /**
     * Before anything changes: every target must still be at the revision the card showed (or already
     * at the one it goes to). A redeploy since the card, a fix shipped during a policy countdown, or an
     * approval given days later must not roll back something nobody looked at.
     *
     * @return why the run must not go on; empty when it may
     */
    Optional<String> changedSinceTheCard(RollbackRun run, ServiceConfig service) {
        for (Step step : steps(run, service)) {
            if (step.from().isEmpty() || step.error().isPresent()) {
                continue;
            }
            Revision then = step.from().get();
            Revision now;
            try {
                now = adapters.forTarget(step.target()).describe(step.target()).current();
            } catch (RuntimeException e) {
                return Optional.of(step.target().describe() + " could not be read before the change: "
                        + e.getMessage() + ". Nothing was changed.");
            }
            boolean alreadyThere = step.to().map(to -> to.id().equals(now.id())).orElse(false);
            if (!now.id().equals(then.id()) && !alreadyThere) {
                return Optional.of(step.target().describe() + " changed since the card was made: it runs "
                        + now.label() + " (" + now.imagesText() + "), the card showed " + then.label()
                        + ". Nothing was changed; Retry assesses it again.");
            }
        }
        return Optional.empty();
    }

    /** Runs every step not finished yet, in order, stopping at the first failure or when {@code stop} says so. */
    Result run(RollbackRun run, ServiceConfig service, Predicate<String> stop) throws InterruptedException {
        List<Step> steps = steps(run, service);
        List<String> waitingOnPeople = new ArrayList<>();
        Map<Integer, RunTimeline.FinishedStep> done = runs.stepsDone(run.id());
        for (int i = 0; i < steps.size(); i++) {
            if (stop.test(run.id())) {
                return new Result.Stopped();
            }
            Step step = steps.get(i);
            String prefix = steps.size() > 1 ? "Step " + (i + 1) + "/" + steps.size() + " " : "";
            RunTimeline.FinishedStep finished = done.get(i);
            // A step still waiting for people (a pull request) is run again: that only finds what it made, and
            // lets its adapter see it again for verification.
            if (finished != null && finished.live() && finished.targetKey().equals(step.target().id())) {
                timeline.add(run.id(), RunEvent.Kind.STEP, prefix + step.target().describe()
                        + ": finished before the restart (" + finished.summary() + "); not run again");
                continue;
            }
            if (step.error().isPresent()) {
                return new Result.Failed(prefix + step.target().describe() + ": " + step.error().get() + doneSoFar(steps, i));
            }
            Progress progress = message -> timeline.add(run.id(), RunEvent.Kind.STEP, prefix + message);
            timeline.add(run.id(), RunEvent.Kind.STEP, prefix + step.target().describe() + " → " + step.label());
            Duration timeout = service.guardrails().executeTimeout();
            try {
                Change change = new Change(run.id(), run.service(), run.environment(), step.revisionId(),
                        step.from(), step.to(), run.reason(), run.requestedBy().orElse(run.askedBy()));
                Outcome outcome = withTimeout(() -> adapters.forTarget(step.target())
                        .execute(step.target(), change, progress, timeout), timeout.plusSeconds(5));
                audit.record("rewind", "adapter step", Optional.of(run.id()), run.service(),
                        step.target().describe() + ": " + outcome.summary() + (outcome.recorded().isEmpty() ? ""
                                : " " + outcome.recorded()));
                timeline.add(run.id(), RunEvent.Kind.STEP, prefix + outcome.summary());
                // The follow-up first: a step recorded as done is not run again, so it could not leave one later.
                leaveFollowUp(run, i, step, outcome);
                runs.stepDone(run.id(), new RunTimeline.FinishedStep(i, step.target().id(), outcome.summary(),
                        outcome.live()), clock.instant());
                if (!outcome.live()) {
                    waitingOnPeople.add(step.target().describe());
                }
            } catch (AdapterException e) {
                return new Result.Failed(prefix + step.target().describe() + ": " + e.getMessage() + doneSoFar(steps, i));
            } catch (TimeoutException e) {
                return new Result.Failed(prefix + step.target().describe() + ": no result within "
                        + DurationText.format(timeout) + doneSoFar(steps, i));
            }
        }
        return new Result.Applied(waitingOnPeople);
    }

    /** Keeps what the step left for after the incident, so the card can offer it whatever the run's end. */
    private void leaveFollowUp(RollbackRun run, int index, Step step, Outcome outcome) {
        adapters.forTarget(step.target()).followUp(step.target(), outcome.recorded()).ifPresent(followUp -> {
            followUps.add(new FollowUpTask(FollowUpTask.idOf(run.id(), index), run.id(), index, step.target().id(),
                    followUp.action(), followUp.description(), outcome.recorded(), clock.instant(), Optional.empty()));
            timeline.add(run.id(), RunEvent.Kind.NOTE, "Follow-up offered on the card: " + followUp.description());
        });
    }

    private <T> T withTimeout(Supplier<T> work, Duration timeout) throws TimeoutException, InterruptedException {
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

    /** The plan in words: {@code kubernetes-deployment shop/checkout → r3, then …}. */
    static String describe(RollbackRun run, ServiceConfig service) {
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
