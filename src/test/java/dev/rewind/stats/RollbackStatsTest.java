package dev.rewind.stats;

import dev.rewind.assess.Tier;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The playbook's figures over seeded histories: each row a history and the figures a person should read. */
class RollbackStatsTest {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    /** Expected figures; {@code null} where the figure has no value (nothing to compute it from). */
    record Expected(Map<RunState, Integer> outcomes, int dryRuns, int open, int succeeded, int finished, Double rate,
                    Integer mttrP50, Integer mttrP90, int automatic, int started, int fastDecided, Integer fastP50,
                    int fastLate, String slowestStep, Integer slowestP50) {
    }

    static Stream<Arguments> histories() {
        return Stream.of(
                row("no runs", List.of(),
                        new Expected(Map.of(), 0, 0, 0, 0, null, null, null, 0, 0, 0, null, 0, null, null)),
                row("only dry runs", List.of(
                                dryRun("d1", days(1)), dryRun("d2", days(2))),
                        new Expected(Map.of(), 2, 0, 0, 0, null, null, null, 0, 0, 0, null, 0, null, null)),
                row("all failed", List.of(
                                failed("f1", days(1), Trigger.COMMAND), failed("f2", days(3), Trigger.POLICY)),
                        new Expected(Map.of(RunState.FAILED, 2), 0, 0, 0, 2, 0.0, null, null, 1, 2, 2, 60, 0,
                                "k8s:shop/checkout", 30)),
                row("interrupted counts as not succeeded", List.of(
                                succeeded("s1", days(1), 200, Trigger.COMMAND),
                                interrupted("i1", days(2))),
                        new Expected(Map.of(RunState.SUCCEEDED, 1, RunState.INTERRUPTED, 1), 0, 0, 1, 2, 0.5, 200, 200,
                                0, 2, 2, 60, 0, "verification", 110)),
                row("not recovered counts as a rollback that changed something and did not succeed", List.of(
                                succeeded("s1", days(1), 200, Trigger.COMMAND),
                                notRecovered("n1", days(2))),
                        new Expected(Map.of(RunState.SUCCEEDED, 1, RunState.NOT_RECOVERED, 1), 0, 0, 1, 2, 0.5, 200, 200,
                                0, 2, 2, 60, 0, "verification", 110)),
                row("mixed history with dismissals, late decisions and runs outside the window", List.of(
                                succeeded("s1", days(1), 100, Trigger.POLICY),
                                succeeded("s2", days(2), 200, Trigger.COMMAND),
                                succeeded("s3", days(3), 400, Trigger.ALERT),
                                succeeded("s4", days(4), 600, Trigger.COMMAND),
                                failed("f1", days(5), Trigger.COMMAND),
                                dismissed("x1", days(6), 45 * 60),
                                undecided("u1", days(0)),
                                dryRun("d1", days(1)),
                                succeeded("old", days(40), 9999, Trigger.COMMAND)),
                        new Expected(Map.of(RunState.SUCCEEDED, 4, RunState.FAILED, 1, RunState.ABORTED, 1), 1, 1, 4, 5,
                                0.8, 200, 600, 1, 5, 6, 60, 1, "verification", 110)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void figuresFromAHistory(List<PastRun> history, Expected expected) {
        StatsReport report = RollbackStats.of(Optional.empty(), StatsWindow.DAYS_30, NOW, history);

        assertThat(report.outcomes()).as("rollbacks by outcome").isEqualTo(expected.outcomes());
        assertThat(report.dryRuns()).as("dry runs").isEqualTo(expected.dryRuns());
        assertThat(report.open()).as("open runs").isEqualTo(expected.open());
        assertThat(report.success().succeeded()).as("succeeded").isEqualTo(expected.succeeded());
        assertThat(report.success().finished()).as("finished that changed something").isEqualTo(expected.finished());
        assertThat(report.success().rate()).as("success rate").isEqualTo(Optional.ofNullable(expected.rate()));
        assertThat(report.recovery().p50()).as("MTTR p50").isEqualTo(seconds(expected.mttrP50()));
        assertThat(report.recovery().p90()).as("MTTR p90").isEqualTo(seconds(expected.mttrP90()));
        assertThat(report.automation().automatic()).as("automatic").isEqualTo(expected.automatic());
        assertThat(report.automation().total()).as("rollbacks started").isEqualTo(expected.started());
        StatsReport.Decisions fast = report.decisions().get(Tier.FAST);
        assertThat(fast.decided()).as("FAST decisions").isEqualTo(expected.fastDecided());
        assertThat(fast.p50()).as("FAST decision p50").isEqualTo(seconds(expected.fastP50()));
        assertThat(fast.deadline()).isEqualTo(Duration.ofMinutes(30));
        assertThat(fast.late()).as("FAST decisions after the deadline").isEqualTo(expected.fastLate());
        assertThat(report.slowestStep().map(StatsReport.SlowStep::step)).as("slowest step")
                .isEqualTo(Optional.ofNullable(expected.slowestStep()));
        assertThat(report.slowestStep().map(StatsReport.SlowStep::p50)).as("slowest step p50")
                .isEqualTo(seconds(expected.slowestP50()));
    }

    @Test
    void aDecisionIsLateAgainstItsOwnServicesDeadline() {
        PastRun decidedIn15Minutes = dismissed("d1", days(1), 900);
        Map<Tier, Duration> tenMinutesForFast = new java.util.EnumMap<>(RollbackStats.DEADLINES);
        tenMinutesForFast.put(Tier.FAST, Duration.ofMinutes(10));

        StatsReport defaults = RollbackStats.of(Optional.of("checkout"), StatsWindow.DAYS_30, NOW, List.of(decidedIn15Minutes));
        StatsReport configured = RollbackStats.of(Optional.of("checkout"), StatsWindow.DAYS_30, NOW, List.of(decidedIn15Minutes),
                service -> tenMinutesForFast);

        assertThat(defaults.decisions().get(Tier.FAST).late()).as("within the default 30 min").isZero();
        assertThat(configured.decisions().get(Tier.FAST).late()).as("past checkout's own 10 min").isEqualTo(1);
        assertThat(configured.decisions().get(Tier.FAST).deadline()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void oneServiceOnlyCountsItsOwnRuns() {
        List<PastRun> history = new ArrayList<>(List.of(succeeded("s1", days(1), 100, Trigger.COMMAND),
                failed("f1", days(1), Trigger.COMMAND)));
        history.add(withService(failed("f2", days(1), Trigger.COMMAND), "payments"));

        StatsReport checkout = RollbackStats.of(Optional.of("checkout"), StatsWindow.DAYS_7, NOW, history);

        assertThat(checkout.success().finished()).isEqualTo(2);
        assertThat(checkout.success().rate()).contains(0.5);
        assertThat(checkout.success().met()).contains(false);
    }

    @Test
    void theWindowDecidesWhichRunsCount() {
        List<PastRun> history = List.of(succeeded("s1", days(3), 100, Trigger.COMMAND),
                failed("f1", days(20), Trigger.COMMAND));

        assertThat(RollbackStats.of(Optional.empty(), StatsWindow.DAYS_7, NOW, history).success().rate()).contains(1.0);
        assertThat(RollbackStats.of(Optional.empty(), StatsWindow.DAYS_30, NOW, history).success().rate()).contains(0.5);
    }

    @Test
    void recoveryTargetIsMetWhenP90IsWithinFiveMinutes() {
        StatsReport within = RollbackStats.of(Optional.empty(), StatsWindow.DAYS_30, NOW,
                List.of(succeeded("s1", days(1), 300, Trigger.COMMAND)));
        StatsReport over = RollbackStats.of(Optional.empty(), StatsWindow.DAYS_30, NOW,
                List.of(succeeded("s1", days(1), 301, Trigger.COMMAND)));

        assertThat(within.recovery().met()).contains(true);
        assertThat(over.recovery().met()).contains(false);
    }

    @Test
    void anApprovalStillAwaitingASecondApproverIsNoDecision() {
        PastRun waiting = new PastRun("w1", "checkout", Trigger.COMMAND, RunState.AWAITING_APPROVAL, false,
                Optional.of(Tier.IMMEDIATE), days(0), Optional.empty(), Optional.empty(),
                List.of(days(0).plusSeconds(30)), Optional.empty(), List.of());

        StatsReport report = RollbackStats.of(Optional.empty(), StatsWindow.DAYS_30, NOW, List.of(waiting));

        assertThat(report.decisions().get(Tier.IMMEDIATE).decided()).isZero();
        assertThat(report.open()).isEqualTo(1);
    }

    @Test
    void nearestRankPercentiles() {
        List<Duration> values = Stream.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).map(Duration::ofSeconds).toList();

        assertThat(RollbackStats.percentile(values, 50)).contains(Duration.ofSeconds(5));
        assertThat(RollbackStats.percentile(values, 90)).contains(Duration.ofSeconds(9));
        assertThat(RollbackStats.percentile(List.of(Duration.ofSeconds(7)), 90)).contains(Duration.ofSeconds(7));
        assertThat(RollbackStats.percentile(List.of(), 50)).isEmpty();
    }

    private static Arguments row(String name, List<PastRun> history, Expected expected) {
        return Arguments.of(Named.of(name, history), expected);
    }

    private static Instant days(int ago) {
        return NOW.minus(Duration.ofDays(ago)).minusSeconds(3600);
    }

    private static Optional<Duration> seconds(Integer value) {
        return Optional.ofNullable(value).map(Duration::ofSeconds);
    }

    /**
     * A real rollback decided 60 s after its card: one step on k8s:shop/checkout 30 s after the start,
     * then verification until {@code recoverySeconds} after the card opened.
     */
    private static PastRun succeeded(String id, Instant created, int recoverySeconds, Trigger trigger) {
        Instant approved = created.plusSeconds(60);
        Instant stepDone = approved.plusSeconds(30);
        return new PastRun(id, "checkout", trigger, RunState.SUCCEEDED, false, Optional.of(Tier.FAST), created,
                Optional.of(approved), Optional.of(created.plusSeconds(recoverySeconds)), List.of(approved),
                Optional.empty(), List.of(new PastRun.Step("k8s:shop/checkout", stepDone)));
    }

    private static PastRun failed(String id, Instant created, Trigger trigger) {
        Instant approved = created.plusSeconds(60);
        return new PastRun(id, "checkout", trigger, RunState.FAILED, false, Optional.of(Tier.FAST), created,
                Optional.of(approved), Optional.of(approved.plusSeconds(45)), List.of(approved), Optional.empty(),
                List.of(new PastRun.Step("k8s:shop/checkout", approved.plusSeconds(30))));
    }

    private static PastRun notRecovered(String id, Instant created) {
        Instant approved = created.plusSeconds(60);
        return new PastRun(id, "checkout", Trigger.COMMAND, RunState.NOT_RECOVERED, false, Optional.of(Tier.FAST), created,
                Optional.of(approved), Optional.of(approved.plusSeconds(300)), List.of(approved), Optional.empty(),
                List.of(new PastRun.Step("k8s:shop/checkout", approved.plusSeconds(30))));
    }

    private static PastRun interrupted(String id, Instant created) {
        Instant approved = created.plusSeconds(60);
        return new PastRun(id, "checkout", Trigger.ALERT, RunState.INTERRUPTED, false, Optional.of(Tier.FAST), created,
                Optional.of(approved), Optional.of(approved.plusSeconds(500)), List.of(approved), Optional.empty(),
                List.of());
    }

    private static PastRun dismissed(String id, Instant created, int afterSeconds) {
        return new PastRun(id, "checkout", Trigger.ALERT, RunState.ABORTED, false, Optional.of(Tier.FAST), created,
                Optional.empty(), Optional.of(created.plusSeconds(afterSeconds)), List.of(),
                Optional.of(created.plusSeconds(afterSeconds)), List.of());
    }

    private static PastRun undecided(String id, Instant created) {
        return new PastRun(id, "checkout", Trigger.COMMAND, RunState.ASSESSED, false, Optional.of(Tier.FAST), created,
                Optional.empty(), Optional.empty(), List.of(), Optional.empty(), List.of());
    }

    /** A dry run goes through approval and stops before the change: ABORTED, never started. */
    private static PastRun dryRun(String id, Instant created) {
        Instant approved = created.plusSeconds(20);
        return new PastRun(id, "checkout", Trigger.COMMAND, RunState.ABORTED, true, Optional.of(Tier.FAST), created,
                Optional.empty(), Optional.of(approved.plusSeconds(1)), List.of(approved), Optional.empty(), List.of());
    }

    private static PastRun withService(PastRun run, String service) {
        return new PastRun(run.id(), service, run.trigger(), run.state(), run.dryRun(), run.tier(), run.createdAt(),
                run.startedAt(), run.finishedAt(), run.approvals(), run.dismissed(), run.steps());
    }
}
