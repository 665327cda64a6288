package dev.rewind.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One automatic-rollback rule of a service, checked when an alert opens its card. Every condition
 * given must hold; the first rule that holds decides the action.
 *
 * @param signal         a signal name from the service's {@code signals}
 * @param above          the signal must be above this (a fraction for error rates: 0.05 or 5%)
 * @param sustained      …for at least this long (checked with {@code min_over_time} over the window)
 * @param minSinceDeploy only when the live revision is at least this old (let a rollout settle)
 * @param maxSinceDeploy only when the live revision is at most this old (blame recent deploys only)
 * @param labels         alert labels that must all match
 * @param countdown      for {@code auto}: how long the card counts down, with a Cancel button
 */
public record PolicyRule(
        String name,
        Optional<String> signal,
        Optional<Double> above,
        Optional<Duration> sustained,
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

    public PolicyRule {
        labels = Map.copyOf(labels);
    }
}
