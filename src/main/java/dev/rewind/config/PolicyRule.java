package dev.rewind.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One automatic-rollback rule of a service, checked when an alert opens its card and, for a service with a
 * {@code guard:}, at every evaluation of a new revision's guard. Every condition given must hold; the first
 * rule that holds decides the action.
 *
 * @param signal         a signal name from the service's {@code signals}
 * @param limits         what the signal is compared with (absolute and against the pre-deploy baseline)
 * @param sustained      …for at least this long: with an alert, checked with {@code min_over_time} (or
 *                       {@code max_over_time} for a floor) over the window; by the deploy guard, every evaluation
 *                       in the window held
 * @param probe          a probe name from the service's {@code probes:}
 * @param failures       how many consecutive failed probes make the probe condition hold (the deploy guard; an
 *                       alert probes once)
 * @param minSinceDeploy only when the live revision is at least this old (let a rollout settle)
 * @param maxSinceDeploy only when the live revision is at most this old (blame recent deploys only)
 * @param labels         alert labels that must all match (a rule with labels never holds for the deploy guard)
 * @param countdown      for {@code auto}: how long the card counts down, with a Cancel button
 */
public record PolicyRule(
        String name,
        Optional<String> signal,
        Limits limits,
        Optional<Duration> sustained,
        Optional<String> probe,
        int failures,
        Optional<Duration> minSinceDeploy,
        Optional<Duration> maxSinceDeploy,
        Map<String, String> labels,
        Action action,
        Duration countdown) {

    public enum Action {
        /** A card only (what happens without any rule). */
        NOTIFY,
        /** A card that proposes the rollback, with the revision preselected. */
        PROPOSE,
        /** A card that rolls back by itself after the countdown unless someone cancels. */
        AUTO
    }

    /**
     * What a signal is compared with; each given limit must hold. {@code above}/{@code below} are absolute (a
     * fraction for error rates), {@code aboveBaseline}/{@code belowBaseline} multiples of the same signal before the
     * deploy.
     */
    public record Limits(Optional<Double> above, Optional<Double> below, Optional<Double> aboveBaseline,
                         Optional<Double> belowBaseline) {

        public static final Limits NONE = new Limits(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        public boolean any() {
            return above.isPresent() || below.isPresent() || aboveBaseline.isPresent() || belowBaseline.isPresent();
        }

        public boolean needsBaseline() {
            return aboveBaseline.isPresent() || belowBaseline.isPresent();
        }

        /** Whether the rule looks for the signal going down (a floor), so {@code for} takes the window's maximum. */
        public boolean floor() {
            return (below.isPresent() || belowBaseline.isPresent()) && above.isEmpty() && aboveBaseline.isEmpty();
        }
    }

    public PolicyRule {
        labels = Map.copyOf(labels);
    }

    /** Whether the deploy guard can judge this rule: it reads signals or probes and asks nothing of an alert. */
    public boolean guardable() {
        return labels.isEmpty() && (signal.isPresent() || probe.isPresent());
    }
}
