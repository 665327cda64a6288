package dev.rewind.assess;

import dev.rewind.config.TierThresholds;
import dev.rewind.signals.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TierPolicyTest {

    private static SignalReading reading(String name, Double now, Double before) {
        return new SignalReading(name, "q", now == null ? new Reading.NoData() : new Reading.Value(now),
                before == null ? new Reading.NoData() : new Reading.Value(before), Instant.EPOCH, Instant.EPOCH,
                "before the deploy");
    }

    @ParameterizedTest(name = "error rate {0} → {1}")
    @CsvSource({
            "0.0, MONITOR",
            "0.05, MONITOR",
            "0.0500001, PLANNED",
            "0.10, PLANNED",
            "0.1000001, FAST",
            "0.50, FAST",
            "0.5000001, IMMEDIATE",
            "1.0, IMMEDIATE"})
    void errorRateBoundaries(double rate, Tier expected) {
        Verdict verdict = TierPolicy.decide(List.of(reading("errorRate", rate, 0.001)), Set.of(), TierThresholds.DEFAULT);
        assertThat(verdict.tier()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "p99 {0}s vs baseline 1s → {1}")
    @CsvSource({
            "1.0, MONITOR",
            "2.0, MONITOR",
            "2.01, PLANNED",
            "3.0, PLANNED",
            "3.01, FAST",
            "30.0, FAST"})
    void latencyRatioBoundaries(double p99, Tier expected) {
        Verdict verdict = TierPolicy.decide(List.of(reading("latencyP99", p99, 1.0)), Set.of(), TierThresholds.DEFAULT);
        assertThat(verdict.tier()).isEqualTo(expected);
    }

    @Test
    void theMostUrgentSignalWinsAndEachReasonQuotesItsNumbers() {
        Verdict verdict = TierPolicy.decide(List.of(reading("errorRate", 0.182, 0.004), reading("latencyP99", 2.5, 1.0)),
                Set.of(), TierThresholds.DEFAULT);
        assertThat(verdict.tier()).isEqualTo(Tier.FAST);
        assertThat(verdict.reasons()).containsExactly(
                "error rate 18.2% vs 0.4% before the deploy (46×) → FAST",
                "p99 latency 2.50 s vs 1.00 s before the deploy (2.5×) → PLANNED");
    }

    @Test
    void aFlagForcesImmediateWhateverTheNumbers() {
        Verdict verdict = TierPolicy.decide(List.of(reading("errorRate", 0.0, 0.0)), Set.of("security"), TierThresholds.DEFAULT);
        assertThat(verdict.tier()).isEqualTo(Tier.IMMEDIATE);
        assertThat(verdict.reasons()).contains("flagged security → IMMEDIATE");
    }

    @Test
    void withoutNumbersTheTierIsUnknownNotMonitor() {
        Verdict verdict = TierPolicy.decide(List.of(reading("errorRate", null, null), reading("latencyP99", 1.0, null)),
                Set.of(), TierThresholds.DEFAULT);
        assertThat(verdict.tier()).isEqualTo(Tier.UNKNOWN);
        assertThat(verdict.reasons()).containsExactly("no error-rate or latency numbers to judge by");
    }

    @Test
    void thresholdsAreConfigurable() {
        TierThresholds strict = new TierThresholds(0.2, 0.02, 1.5, 0.01, 1.2);
        assertThat(TierPolicy.decide(List.of(reading("errorRate", 0.03, 0.0)), Set.of(), strict).tier()).isEqualTo(Tier.FAST);
        assertThat(TierPolicy.decide(List.of(reading("latencyP99", 1.3, 1.0)), Set.of(), strict).tier()).isEqualTo(Tier.PLANNED);
    }

    @Test
    void otherSignalsAreShownButNotJudged() {
        Verdict verdict = TierPolicy.decide(List.of(reading("queueDepth", 10000.0, 3.0)), Set.of(), TierThresholds.DEFAULT);
        assertThat(verdict.tier()).isEqualTo(Tier.UNKNOWN);
    }
}
