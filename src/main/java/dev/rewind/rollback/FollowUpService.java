package dev.rewind.rollback;

import dev.rewind.config.Principal;
import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.config.Target;
import dev.rewind.config.ServiceConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Carries out what a finished rollback left for after the incident, when an approver of the service
 * says so: never automatically, because only people know when the incident is over (e.g. that git no
 * longer points at the bad revision before a GitOps sync loop is turned back on).
 */
public final class FollowUpService {

    /** Longer than any adapter call takes: a claim this old was left by a process that died mid-call. */
    static final Duration CLAIM_TIMEOUT = Duration.ofMinutes(5);

    private final Catalogues catalogues;
    private final AdapterRegistry adapters;
    private final RunRepository runs;
    private final RunTimeline timeline;
    private final FollowUpTasks tasks;
    private final ApprovalPolicy policy;
    private final AuditLog audit;
    private final RunViews views;
    private final RunObserver observer;
    private final Clock clock;

    public FollowUpService(Catalogues catalogues, AdapterRegistry adapters, RunRepository runs, RunTimeline timeline, FollowUpTasks tasks,
                           ApprovalPolicy policy, AuditLog audit, RunViews views, RunObserver observer, Clock clock) {
        this.observer = observer;
        this.catalogues = catalogues;
        this.adapters = adapters;
        this.runs = runs;
        this.timeline = timeline;
        this.tasks = tasks;
        this.policy = policy;
        this.audit = audit;
        this.views = views;
        this.clock = clock;
    }

    public Decision complete(String taskId, String userId) {
        Optional<FollowUpTask> found = tasks.find(taskId);
        if (found.isEmpty()) {
            return new Decision.Refused("follow-up " + taskId + " is not in Rewind's database");
        }
        FollowUpTask task = found.get();
        if (task.done().isPresent()) {
            return alreadyDone(task);
        }
        RollbackRun run = runs.find(task.runId()).orElseThrow();
        if (!run.state().isFinal()) {
            return new Decision.Refused("The rollback is still " + run.state().name().toLowerCase()
                    + "; \"" + task.action() + "\" waits until it has finished.");
        }
        Optional<ServiceConfig> service = catalogues.service(run.service());
        if (service.isEmpty()) {
            return new Decision.Refused(run.service() + " is no longer in rewind.yml; nothing was changed");
        }
        Optional<Target> target = service.get().targets().stream().filter(t -> t.id().equals(task.targetKey())).findFirst();
        if (target.isEmpty()) {
            return new Decision.Refused("The target of \"" + task.action() + "\" is no longer in " + run.service()
                    + "'s rewind.yml as it was (its block was changed or removed); nothing was changed. Do it by hand.");
        }
        Optional<RollbackRun> busy = views.otherActiveRun(run);
        if (busy.isPresent()) {
            return new Decision.Refused(run.service() + " is being rolled back again (run " + busy.get().id() + ", "
                    + busy.get().state().name().toLowerCase().replace('_', ' ') + "); \"" + task.action()
                    + "\" waits until that run has ended.");
        }
        Optional<FollowUpTask> newest = tasks.newestPending(List.of(task.targetKey())).stream().findFirst();
        if (newest.isPresent() && !newest.get().id().equals(task.id())) {
            return new Decision.Refused("A later rollback (run " + newest.get().runId() + ") changed this target since; "
                    + "this follow-up no longer applies. Use the one on that run's card: \"" + newest.get().action() + "\".");
        }
        if (!policy.mayApprove(userId, service.get().approval())) {
            audit.record(userId, "refused", Optional.of(run.id()), run.service(), "may not " + task.action().toLowerCase());
            return new Decision.Refused("You may not " + task.action().toLowerCase() + " for " + run.service()
                    + ": only its approvers may.", Principal.ids(service.get().approval().approvers()));
        }
        Instant now = clock.instant();
        if (!tasks.claim(taskId, userId, now, now.minus(CLAIM_TIMEOUT))) {
            return tasks.find(taskId).filter(t -> t.done().isPresent()).map(this::alreadyDone)
                    .orElse(new Decision.AlreadyHandled("Someone else is doing \"" + task.action() + "\" right now."));
        }
        audit.record(userId, "follow-up", Optional.of(run.id()), run.service(), task.action() + " on " + task.targetKey());
        String result;
        try {
            result = Mentions.neutralise(adapters.forTarget(target.get()).completeFollowUp(target.get(), task.recorded()));
        } catch (AdapterException e) {
            tasks.release(taskId, userId);
            audit.record(userId, "follow-up refused", Optional.of(run.id()), run.service(), e.getMessage());
            note(run.id(), task.action() + " asked by " + Mentions.token(userId) + " was not done: "
                    + Mentions.neutralise(e.getMessage()));
            return new Decision.Refused(Mentions.neutralise(e.getMessage()));
        } catch (RuntimeException e) {
            tasks.release(taskId, userId);
            throw e;
        }
        tasks.complete(taskId, userId, clock.instant(), result);
        audit.record(userId, "follow-up done", Optional.of(run.id()), run.service(), result);
        note(run.id(), task.action() + " by " + Mentions.token(userId) + ": " + result);
        views.refresh(run.id());
        runs.find(run.id()).ifPresent(done -> observer.amended(views.view(done)));
        return new Decision.Accepted(result);
    }

    private Decision alreadyDone(FollowUpTask task) {
        FollowUpTask.Done done = task.done().orElseThrow();
        return new Decision.AlreadyHandled("\"" + task.action() + "\" was already done by " + Mentions.token(done.by())
                + ": " + done.result());
    }

    private void note(String runId, String message) {
        RunEvent event = new RunEvent(runId, clock.instant(), RunEvent.Kind.NOTE, message);
        timeline.append(event);
        views.progress(event);
    }
}
