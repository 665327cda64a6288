package dev.rewind.rollback;

import dev.rewind.testing.RunBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which controls a card shows in each state: a table, because a missing button at 3 a.m. is a bug. */
class OffersTest {

    private static final Instant NOW = Instant.parse("2026-12-04T03:00:00Z");

    @ParameterizedTest(name = "{0}, revision={1}, auto={2}, breakGlass={3}, followUp={4} → {5}")
    @CsvSource(delimiter = '|', textBlock = """
            ASSESSED          | true  | false | false | none | ROLL_BACK PICK_REVISION MONITOR DISMISS
            ASSESSED          | false | false | false | none | MONITOR DISMISS
            ASSESSED          | true  | true  | false | none | CANCEL_AUTO ROLL_BACK PICK_REVISION MONITOR DISMISS
            ASSESSED          | false | true  | false | none | CANCEL_AUTO MONITOR DISMISS
            AWAITING_APPROVAL | true  | false | false | none | APPROVE DISMISS
            AWAITING_APPROVAL | true  | false | true  | none | APPROVE BREAK_GLASS DISMISS
            APPROVED          | true  | false | false | none | -
            EXECUTING         | true  | false | false | none | -
            VERIFYING         | true  | false | false | none | -
            SUCCEEDED         | true  | false | false | none | -
            SUCCEEDED         | true  | false | false | open | FOLLOW_UP
            SUCCEEDED         | true  | false | false | done | -
            FAILED            | true  | false | false | none | RETRY
            FAILED            | true  | false | false | open | RETRY FOLLOW_UP
            INTERRUPTED       | false | false | false | none | RETRY
            ABORTED           | true  | false | false | none | -
            """)
    void offersTheActionsOfItsState(RunState state, boolean revision, boolean auto, boolean breakGlass, String followUp,
                                    String expected) {
        RunBuilder run = RunBuilder.aRun().state(state).at(NOW);
        if (auto) {
            run.autoAt(NOW.plusSeconds(60));
        }
        List<FollowUpTask> followUps = followUp.equals("none") ? List.of() : List.of(new FollowUpTask("f1", "rb-1", 0,
                "t", "Restore automated sync", "Argo CD automated sync is off", java.util.Map.of(), NOW,
                followUp.equals("done") ? Optional.of(new FollowUpTask.Done("U0ALICE", NOW, "restored")) : Optional.empty()));
        RunView view = new RunView(run.build(), List.of(), new ApprovalPolicy.Standing(1, 2, false, breakGlass), List.of(),
                List.of(), Optional.empty(), IncidentRoom.none(), List.of(), Optional.empty(), Optional.empty(), followUps);

        List<Permissions.Action> offered = Offers.of(view, revision);

        List<Permissions.Action> wanted = expected.equals("-") ? List.of()
                : Arrays.stream(expected.split(" ")).map(Permissions.Action::valueOf).toList();
        assertThat(offered).containsExactlyElementsOf(wanted);
    }
}
