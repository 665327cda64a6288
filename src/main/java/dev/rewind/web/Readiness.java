package dev.rewind.web;

import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;
import dev.rewind.slack.SlackFront;
import dev.rewind.store.Database;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code /readyz} asks. Only the checks that {@link Check#decides decide} readiness can take a
 * replica out of its Service: the database (reachable; Flyway has migrated it before Rewind listens).
 * Slack and Prometheus are reported by {@code /readyz?verbose} and {@code rewind_dependency_up} but
 * never fail readiness, so a replica that starts during a Slack outage still stores the alerts
 * Alertmanager sends and posts their cards when Slack is back.
 */
public final class Readiness {

    /** One dependency: {@code problem} is empty when it works, else why not (it must not throw). */
    public record Check(String name, boolean decides, Supplier<Optional<String>> problem) {
    }

    /** A check's answer now. */
    public record Result(String name, boolean decides, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    private final List<Check> checks;

    public Readiness(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** Nothing to check: always ready (for tests that only need the routes). */
    public static Readiness none() {
        return new Readiness(List.of());
    }

    /**
     * Rewind's own checks: the database decides; Slack ({@code slackMissing} says why it is not
     * configured, when {@code slack} is empty) and Prometheus are reported only.
     */
    public static Readiness of(Database database, Optional<SlackFront> slack, String slackMissing, SignalSource signals,
                               java.util.function.Supplier<Optional<String>> config, Clock clock) {
        Check db = new Check("database", true, database::problem);
        Check slackCheck = new Check("slack", false, () -> slack.isEmpty()
                ? Optional.of("not configured: " + slackMissing) : slack.get().problem());
        Check prometheus = new Check("prometheus", false, () -> {
            if (!signals.configured()) {
                return Optional.of("not configured: PROMETHEUS_URL is not set");
            }
            // Any answer (a number or no samples) means Prometheus' query API works.
            return signals.query("vector(1)", clock.instant()) instanceof Reading.Unavailable unavailable
                    ? Optional.of(unavailable.reason()) : Optional.empty();
        });
        // A rewind.yml change that did not load: the previous catalogue still serves, so it does not decide.
        Check configCheck = new Check("config", false, config);
        return new Readiness(List.of(db, slackCheck, prometheus, configCheck));
    }

    /** The checks that decide readiness, answered now. */
    public List<Result> deciding() {
        return checks.stream().filter(Check::decides).map(Readiness::run).toList();
    }

    /** Every check, answered now, in order. */
    public List<Result> all() {
        return checks.stream().map(Readiness::run).toList();
    }

    private static Result run(Check check) {
        Optional<String> problem;
        try {
            problem = check.problem().get();
        } catch (RuntimeException e) {
            problem = Optional.of("check failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return new Result(check.name(), check.decides(), problem);
    }
}
