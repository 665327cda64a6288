package dev.rewind.rollback;


import java.util.List;
import java.util.Optional;

/**
 * What a front end needs to draw a run: the run, its approvals and where they stand, its timeline,
 * its incident room, the signal values seen, the report's address once there is one, and — for a card
 * still awaiting a decision — which other run is rolling the same service back right now; and what
 * the rollback left for after the incident.
 */
public record RunView(
        RollbackRun run,
        List<Approval> approvals,
        ApprovalPolicy.Standing standing,
        List<String> approvers,
        List<RunEvent> events,
        Optional<String> reportUrl,
        IncidentRoom incident,
        List<SignalSample> samples,
        Optional<AlertDigest> alerts,
        Optional<String> busy,
        List<FollowUpTask> followUps) {

    public RunView {
        followUps = List.copyOf(followUps);
        approvals = List.copyOf(approvals);
        approvers = List.copyOf(approvers);
        events = List.copyOf(events);
        samples = List.copyOf(samples);
    }
}
