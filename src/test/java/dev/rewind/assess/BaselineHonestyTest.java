package dev.rewind.assess;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.TargetState;
import dev.rewind.config.CatalogueParser;
import dev.rewind.config.ServiceConfig;
import dev.rewind.config.Target;
import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the baseline comes from when the minutes before the deploy have no samples: the previous revision's own
 * window if it has them, else none, said plainly.
 */
class BaselineHonestyTest {

    private static final Instant NOW = Instant.parse("2026-12-05T03:00:00Z");
    private static final Instant DEPLOYED = NOW.minus(Duration.ofHours(6));
    private static final Instant PREVIOUS_DEPLOYED = NOW.minus(Duration.ofDays(4));

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** r4 deployed 6 h ago, r3 four days ago. */
    private static final class TwoRevisions implements RollbackAdapter {
        @Override
        public String type() {
            return "fake";
        }

        @Override
        public TargetState describe(Target target) {
            return new TargetState("fake app", revision("r4", DEPLOYED), List.of(revision("r3", PREVIOUS_DEPLOYED)), List.of(),
                    List.of());
        }

        private static Revision revision(String label, Instant at) {
            return new Revision(label, label, List.of("app:" + label), Optional.of(at), Optional.empty(), Map.of());
        }

        @Override
        public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Health verify(Target target) {
            throw new UnsupportedOperationException();
        }
    }

    private Assessment assess(SignalSource prometheus) {
        ServiceConfig service = new CatalogueParser(w -> { }, type -> false).parse("""
                services:
                  - name: checkout
                    channel: C0CHECKOUT
                    target: {type: fake}
                    signals: {errorRate: errors}
                    approvers: [U0ALICE]
                """, "rewind.yml").find("checkout").orElseThrow();
        return new Assessor(new AdapterRegistry(List.of(new TwoRevisions())), prometheus, pool,
                Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(5), Duration.ofHours(1)).assess(service, Set.of());
    }

    @Test
    void samplesBeforeTheDeployAreTheBaseline() {
        SignalReading reading = assess((query, at) -> new Reading.Value(at.equals(NOW) ? 0.2 : 0.004)).signals().get(0);

        assertThat(reading.baselineValue()).contains(0.004);
        assertThat(reading.baselineBasis()).isEqualTo("before r4 was deployed");
        assertThat(reading.baselineAt()).isEqualTo(DEPLOYED.minus(Duration.ofMinutes(5)));
    }

    @Test
    void withoutSamplesBeforeTheDeployThePreviousRevisionsWindowIsUsedAndNamed() {
        Instant previousWindow = PREVIOUS_DEPLOYED.plus(Duration.between(PREVIOUS_DEPLOYED, DEPLOYED).dividedBy(2));
        SignalReading reading = assess((query, at) -> at.equals(NOW) ? new Reading.Value(0.2)
                : at.equals(previousWindow) ? new Reading.Value(0.006) : new Reading.NoData()).signals().get(0);

        assertThat(reading.baselineValue()).contains(0.006);
        assertThat(reading.baselineAt()).isEqualTo(previousWindow);
        assertThat(reading.baselineBasis()).isEqualTo("in r3's window, 51h ago");
    }

    @Test
    void withNoSamplesAnywhereThereIsNoBaselineAndTheNumbersAreJudgedAlone() {
        Assessment assessment = assess((query, at) -> at.equals(NOW) ? new Reading.Value(0.2) : new Reading.NoData());
        SignalReading reading = assessment.signals().get(0);

        assertThat(reading.baselineValue()).isEmpty();
        assertThat(reading.baselineBasis()).isEqualTo("before r4 was deployed");
        assertThat(assessment.tier()).as("20% errors is FAST on the absolute thresholds alone").isEqualTo(Tier.FAST);
    }
}
