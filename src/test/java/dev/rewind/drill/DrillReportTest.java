package dev.rewind.drill;

import dev.rewind.config.DrillSchedule;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The drill report's verdicts and the schedule's times, without a bot around them. */
class DrillReportTest {

    private static final Instant T0 = Instant.parse("2026-12-08T10:00:00Z");

    private static DrillReport report(int card, int approved, int traffic, int verified, Integer restored) {
        return new DrillReport(T0, Optional.of(T0.plusSeconds(card)), Optional.of(T0.plusSeconds(approved)),
                Optional.of(T0.plusSeconds(traffic)), Optional.of(T0.plusSeconds(verified)),
                Optional.ofNullable(restored).map(T0::plusSeconds), "FAST", Optional.of(Duration.ofMinutes(30)),
                Duration.ofSeconds(300));
    }

    @Test
    void aDrillPassesWhenRestoredWithinTheRecoveryTargetAndTheDeadline() {
        DrillReport report = report(4, 60, 90, 150, 260);
        assertThat(report.passed()).isTrue();
        assertThat(report.lines()).containsExactly(
                "Times from the start: card 4s · approval 1m · traffic on the old version 1m30s · verified 2m30s · restored 4m20s",
                "✅ Recovery 2m30s (target 5m)",
                "✅ Decision 56s (FAST deadline 30m)",
                "Slowest: restoring, 1m50s");
    }

    @Test
    void aSlowVerificationMissesTheTargetAndIsNamedAsTheSlowPart() {
        DrillReport report = report(4, 30, 60, 420, 480);
        assertThat(report.passed()).isFalse();
        assertThat(report.lines()).contains("❌ Recovery 7m (target 5m)", "Slowest: verifying recovery, 6m");
    }

    @Test
    void aDecisionPastTheDeadlineFailsEvenWhenRecoveryIsFast() {
        DrillReport report = new DrillReport(T0, Optional.of(T0.plusSeconds(5)), Optional.of(T0.plusSeconds(200)),
                Optional.of(T0.plusSeconds(210)), Optional.of(T0.plusSeconds(240)), Optional.of(T0.plusSeconds(280)), "IMMEDIATE",
                Optional.of(Duration.ofMinutes(3)), Duration.ofSeconds(300));
        assertThat(report.withinRecoveryTarget()).isTrue();
        assertThat(report.passed()).isFalse();
        assertThat(report.lines()).contains("❌ Decision 3m15s (IMMEDIATE deadline 3m)");
    }

    @Test
    void withoutARestoreADrillNeverPasses() {
        assertThat(report(4, 60, 90, 150, null).passed()).isFalse();
    }

    @Test
    void theScheduleNamesItsLatestTimeInUtc() {
        Instant tuesdayNoon = Instant.parse("2026-12-08T12:00:00Z");
        assertThat(DrillSchedule.lastAtOrBefore("0 10 * * TUE", tuesdayNoon)).contains(Instant.parse("2026-12-08T10:00:00Z"));
        assertThat(DrillSchedule.lastAtOrBefore("0 10 * * TUE", Instant.parse("2026-12-08T10:00:40Z")))
                .contains(Instant.parse("2026-12-08T10:00:00Z"));
        assertThat(DrillSchedule.lastAtOrBefore("0 10 * * TUE", Instant.parse("2026-12-08T09:59:00Z")))
                .contains(Instant.parse("2026-12-01T10:00:00Z"));
    }
}
