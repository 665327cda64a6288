package dev.rewind.rollback;

import dev.rewind.config.Principal;
import dev.rewind.assess.Assessment;
import dev.rewind.assess.Tier;
import dev.rewind.config.ServiceConfig;

import java.util.List;
import java.util.Optional;

/** Builds the {@link RunView} of a run and redraws its card. */
public final class RunViews {

    private final Catalogues catalogues;
    private final RunRepository runs;
    private final IncidentRooms rooms;
    private final ApprovalStore approvalStore;
    private final RunTimeline timeline;
    private final ApprovalPolicy policy;
    private final IncidentChannel channel;
    private final String reportBaseUrl;
    private final java.util.function.Function<String, Optional<AlertDigest>> alerts;
    private final FollowUpTasks followUps;

    public RunViews(Catalogues catalogues, RunRepository runs, IncidentRooms rooms, ApprovalStore approvalStore, RunTimeline timeline, ApprovalPolicy policy, IncidentChannel channel,
                    String publicUrl, java.util.function.Function<String, Optional<AlertDigest>> alerts,
                    FollowUpTasks followUps) {
        this.followUps = followUps;
        this.alerts = alerts;
        this.catalogues = catalogues;
        this.runs = runs;
        this.rooms = rooms;
        this.approvalStore = approvalStore;
        this.timeline = timeline;
        this.policy = policy;
        this.channel = channel;
        this.reportBaseUrl = publicUrl + "/reports/";
    }

    public RunView view(RollbackRun run) {
        Optional<ServiceConfig> config = catalogues.service(run.service());
        List<Approval> approvals = approvalStore.approvals(run.id());
        ApprovalPolicy.Standing standing = config.map(c -> standing(run, c))
                .orElse(new ApprovalPolicy.Standing(approvals.size(), approvals.size(), true, false));
        return new RunView(run, approvals, standing,
                config.map(c -> Principal.ids(c.approval().approvers())).orElse(List.of()), timeline.events(run.id()),
                run.state() == RunState.ASSESSED ? Optional.empty() : Optional.of(reportUrl(run.id())),
                rooms.incident(run.id()), timeline.samples(run.id()),
                run.trigger() == Trigger.ALERT ? alerts.apply(run.id()) : Optional.empty(),
                run.state() == RunState.ASSESSED ? busy(run) : Optional.empty(),
                followUps(run, config));
    }

    /**
     * What is left to do on the service's targets: this run's follow-ups that are done, and for each
     * target the newest one not done, whichever run left it (after a Retry, or on a new card while an
     * earlier rollback's is still open).
     */
    private List<FollowUpTask> followUps(RollbackRun run, Optional<ServiceConfig> config) {
        List<FollowUpTask> shown = new java.util.ArrayList<>(run.startedAt().isPresent()
                ? followUps.forRun(run.id()).stream().filter(task -> task.done().isPresent()).toList() : List.of());
        config.ifPresent(c -> shown.addAll(followUps.newestPending(c.targets().stream()
                .map(dev.rewind.config.Target::id).toList())));
        return shown;
    }

    /** Another run of the same service that holds its targets now. */
    public Optional<RollbackRun> otherActiveRun(RollbackRun run) {
        return runs.inStates(RunState.holding()).stream()
                .filter(other -> other.service().equals(run.service()) && !other.id().equals(run.id()))
                .findFirst();
    }

    /** {@link #otherActiveRun}, in words. */
    private Optional<String> busy(RollbackRun run) {
        return otherActiveRun(run)
                .map(other -> run.service() + " is already being rolled back by "
                        + Mentions.token(other.requestedBy().orElse(other.askedBy())) + " (run " + other.id() + ", "
                        + other.state().name().toLowerCase().replace('_', ' ') + ")");
    }

    public String reportUrl(String runId) {
        return reportBaseUrl + runId;
    }

    public ApprovalPolicy.Standing standing(RollbackRun run, ServiceConfig config) {
        Tier tier = run.assessment().map(Assessment::tier).orElse(Tier.UNKNOWN);
        return policy.standing(approvalStore.approvals(run.id()), run.requestedBy(), config.approval(), tier);
    }

    /** Redraws the run's card in place, if it has one. */
    public void refresh(String runId) {
        runs.card(runId).ifPresent(card -> channel.cardChanged(runId, card));
    }

    /** Hands a timeline line to the channel's live status. */
    public void progress(RunEvent event) {
        channel.progress(event, runs.card(event.runId()));
    }

    /** Whether {@code run} was opened by alerts that have all resolved, or gone quiet and been closed as stale. */
    public boolean alertsOver(RollbackRun run) {
        return run.trigger() == Trigger.ALERT && alerts.apply(run.id())
                .map(digest -> digest.resolvedAt().isPresent() || digest.expiredAt().isPresent()).orElse(false);
    }
}
