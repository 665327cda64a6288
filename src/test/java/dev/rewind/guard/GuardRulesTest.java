package dev.rewind.guard;

import dev.rewind.config.PolicyRule;
import dev.rewind.rollback.RuleConditions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The guard's pure parts: limits against a baseline, consecutive evaluations, and a schedule spread over the interval. */
class GuardRulesTest {

    private static Optional<Double> number(String text) {
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(Double.parseDouble(text));
    }

    @ParameterizedTest(name = "{0}: {1} vs baseline {2} → {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            above 2% and 3x baseline | 0.03  | 0.004 | 0.02 | -    | 3   | -   | true
            under the absolute limit | 0.015 | 0.004 | 0.02 | -    | 3   | -   | false
            not 3x the baseline      | 0.03  | 0.02  | 0.02 | -    | 3   | -   | false
            no baseline to compare   | 0.03  | -     | 0.02 | -    | 3   | -   | false
            absolute alone           | 0.03  | -     | 0.02 | -    | -   | -   | true
            conversion dropped       | 0.03  | 0.05  | -    | -    | -   | 0.8 | true
            conversion held          | 0.045 | 0.05  | -    | -    | -   | 0.8 | false
            under a floor            | 0.01  | -     | -    | 0.02 | -   | -   | true
            """)
    void limitsHoldOnlyWhenEveryOneDoes(String what, double value, String baseline, String above, String below,
                                        String aboveBaseline, String belowBaseline, boolean holds) {
        PolicyRule.Limits limits = new PolicyRule.Limits(number(above), number(below), number(aboveBaseline), number(belowBaseline));
        assertThat(RuleConditions.signal(limits, "errorRate", value, number(baseline), "before r42").isPresent())
                .as(what).isEqualTo(holds);
    }

    @Test
    void theReasonSaysTheNumberTheBaselineAndTheLimits() {
        PolicyRule.Limits limits = new PolicyRule.Limits(Optional.of(0.02), Optional.empty(), Optional.of(3.0), Optional.empty());
        assertThat(RuleConditions.signal(limits, "errorRate", 0.072, Optional.of(0.004), "before r42"))
                .contains("errorRate 7.2% vs 0.4% before r42 (> 2.0%, > 3x baseline)");
    }

    @Test
    void forCountsConsecutiveEvaluationsAndAGapStartsAgain() {
        Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
        RuleProgress progress = RuleProgress.NONE.next(true, false, t0).next(true, false, t0.plusSeconds(30));
        assertThat(progress.heldFor(t0.plusSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        RuleProgress gap = progress.next(false, false, t0.plusSeconds(60));
        assertThat(gap.holdingSince()).isEmpty();
        assertThat(gap.next(true, false, t0.plusSeconds(90)).heldFor(t0.plusSeconds(90))).isZero();
        RuleProgress probes = RuleProgress.NONE.next(false, true, t0).next(false, true, t0).next(false, true, t0);
        assertThat(probes.probeFailures()).isEqualTo(3);
        assertThat(probes.next(false, false, t0).probeFailures()).isZero();
    }

    @Test
    void guardsStartedTogetherSpreadTheirChecksOverTheInterval() {
        Duration interval = Duration.ofSeconds(30);
        Set<Long> seconds = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            Duration jitter = DeployGuards.jitter("dg-" + Integer.toString(i * 7919, 36), interval);
            assertThat(jitter).isBetween(Duration.ZERO, interval);
            seconds.add(jitter.toSeconds());
        }
        assertThat(seconds).as("distinct seconds of the interval used by 500 guards").hasSizeGreaterThan(25);
    }

    @Test
    void aGuardThatFellBehindSkipsTheBeatsItMissed() {
        Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
        DeployGuard guard = new DeployGuard("dg-1", "checkout", "r42", "r42", t0, "api", Optional.empty(), Optional.empty(), t0,
                t0.plusSeconds(1800), Duration.ofSeconds(30), t0.plusSeconds(7), 0, 0, GuardStatus.WATCHING, Optional.empty(),
                Optional.empty(), Map.of(), Optional.empty());
        assertThat(GuardEvaluator.next(guard, t0.plusSeconds(8))).isEqualTo(t0.plusSeconds(37));
        assertThat(GuardEvaluator.next(guard, t0.plusSeconds(100))).isEqualTo(t0.plusSeconds(127));
    }
}
