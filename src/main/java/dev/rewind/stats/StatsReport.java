package dev.rewind.stats;

import dev.rewind.assess.Tier;
import dev.rewind.rollback.RunState;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The playbook's figures over one window, for one service or all of them. Built by {@link RollbackStats}.
 *
 * @param outcomes    runs that ended, by final state; dry runs apart
 * @param dryRuns     dry runs opened in the window, whatever became of them
 * @param open        runs not ended yet (cards awaiting a decision, rollbacks under way); dry runs apart
 * @param decisions   time from the card to a decision, for each tier that has a deadline
 * @param slowestStep the plan step (or verification) with the longest median time, if any step finished
 */
public record StatsReport(Optional<String> service, StatsWindow window, Instant from, Instant to,
                          Map<RunState, Integer> outcomes, int dryRuns, int open, Success success, Recovery recovery,
                          Automation automation, Map<Tier, Decisions> decisions, Optional<SlowStep> slowestStep) {

    public StatsReport {
        outcomes = Map.copyOf(outcomes);
        decisions = Map.copyOf(decisions);
    }

    /** Succeeded ÷ finished rollbacks that changed something (dry runs never do); empty rate without any. */
    public record Success(int succeeded, int finished, double target) {
        public Optional<Double> rate() {
            return finished == 0 ? Optional.empty() : Optional.of((double) succeeded / finished);
        }

        public Optional<Boolean> met() {
            return rate().map(rate -> rate >= target);
        }
    }

    /** Detection (the run opened) to verified recovery (it succeeded), over the runs that recovered. */
    public record Recovery(int recovered, Optional<Duration> p50, Optional<Duration> p90, Duration target) {
        public Optional<Boolean> met() {
            return p90.map(p90 -> p90.compareTo(target) <= 0);
        }
    }

    /** Rollbacks that started executing, and how many of them an automatic policy triggered (not people). */
    public record Automation(int automatic, int total) {
        public Optional<Double> share() {
            return total == 0 ? Optional.empty() : Optional.of((double) automatic / total);
        }
    }

    /** Decisions (approved or dismissed) on cards of one tier: how fast, and how many after the deadline. */
    public record Decisions(int decided, Optional<Duration> p50, Optional<Duration> p90, Duration deadline, int late) {
    }

    /** The slowest kind of step: a plan step's target, or {@link RollbackStats#VERIFICATION}. */
    public record SlowStep(String step, Duration p50, int runs) {
    }
}
