package dev.rewind.rollback;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.Health;
import dev.rewind.config.Target;
import dev.rewind.assess.NumberText;
import dev.rewind.assess.SignalKind;
import dev.rewind.assess.SignalReading;
import dev.rewind.assess.Assessment;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import dev.rewind.signals.Reading;
import dev.rewind.signals.SignalSource;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a rolled-back service has recovered: every target healthy and every judged signal
 * back under its threshold (or within a ratio of its baseline), for {@code checks} consecutive
 * checks. A rollback that did not bring the numbers back is a failure worth saying so.
 *
 * <p>A target that is still progressing has not finished taking the change (a rollout under way, a
 * revert pull request waiting for someone to merge it, a GitOps tool yet to sync): such checks do not
 * use up the budget, for up to the service's step timeout, and they never count as recovered. If the
 * target is still progressing then, the run fails saying what it was waiting for.
 */
public final class Verifier {

    /** How long to wait between checks; tests replace it to avoid real sleeps. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = duration -> Thread.sleep(duration.toMillis());
    }

    private final AdapterRegistry adapters;
    private final SignalSource signals;
    private final Clock clock;
    private final Sleeper sleeper;

    public Verifier(AdapterRegistry adapters, SignalSource signals, Clock clock, Sleeper sleeper) {
        this.adapters = adapters;
        this.signals = signals;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Whether signal numbers take part in verification (a metrics source is configured). */
    public boolean judgesSignals() {
        return signals.configured();
    }

    /** The result: recovered or not, and the sentence that says why. */
    public record Result(boolean recovered, String summary) {
    }

    public Result verify(ServiceConfig service, Optional<Assessment> before, java.util.function.Consumer<String> progress,
                         java.util.function.Consumer<List<SignalSample>> samples) throws InterruptedException {
        ServiceConfig.Verification rules = service.verification();
        boolean judgeSignals = !service.signals().isEmpty() && signals.configured();
        int checks = judgeSignals ? rules.checks() : 1;
        int budget = checks * 2;
        int patience = waitsWithin(service.guardrails().executeTimeout(), rules.interval());
        int spent = 0;
        int waited = 0;
        int passed = 0;
        Check last = null;
        while (spent < budget) {
            if (judgeSignals || last != null) {
                // Metrics lag the change: each check, the first too, looks at a window after the previous one.
                sleeper.sleep(rules.interval());
            }
            List<SignalSample> seen = new ArrayList<>();
            Check check = check(service, before, seen, judgeSignals);
            samples.accept(seen);
            boolean sameAsBefore = last != null && last.detail().equals(check.detail());
            last = check;
            if (check.progressing() && waited < patience) {
                waited++;
                passed = 0;
                if (!sameAsBefore) {
                    progress.accept("Waiting: " + check.detail());
                }
                continue;
            }
            spent++;
            if (check.ok()) {
                passed++;
                progress.accept("Check " + passed + "/" + checks + " passed: " + check.detail());
                if (passed >= checks) {
                    return new Result(true, "Recovered: " + check.detail());
                }
            } else {
                passed = 0;
                progress.accept("Not recovered yet: " + check.detail());
                if (check.fatal()) {
                    return new Result(false, check.detail());
                }
            }
        }
        String took = DurationText.format(rules.interval().multipliedBy(spent + waited));
        if (last.progressing()) {
            return new Result(false, "Not confirmed after " + took + ": " + last.detail()
                    + ". The change may still take effect; check the target by hand");
        }
        if (last.detail().contains("could not be read")) {
            return new Result(false, "Rolled back, but recovery could not be confirmed after " + took + ": " + last.detail()
                    + ". Check the numbers by hand");
        }
        return new Result(false, "Rolled back, but " + last.detail() + " after " + took + ": the cause may not be the deploy");
    }

    /** How many checks {@code interval} apart fit in {@code window}; none when checks are not spaced (tests). */
    static int waitsWithin(Duration window, Duration interval) {
        return interval.isZero() ? 0 : (int) Math.min(Integer.MAX_VALUE, window.toMillis() / interval.toMillis());
    }

    private record Check(boolean ok, boolean fatal, boolean progressing, String detail) {
        Check(boolean ok, boolean fatal, String detail) {
            this(ok, fatal, false, detail);
        }
    }

    private Check check(ServiceConfig service, Optional<Assessment> before, List<SignalSample> seen, boolean judgeSignals) {
        List<String> notes = new ArrayList<>();
        for (Target target : service.targets()) {
            Health health;
            try {
                health = adapters.forTarget(target).verify(target);
            } catch (RuntimeException e) {
                return new Check(false, false, target.describe() + " could not be read: " + e.getMessage());
            }
            if (health.status() == Health.Status.UNHEALTHY) {
                return new Check(false, true, target.describe() + " is unhealthy: " + health.detail());
            }
            if (health.status() == Health.Status.PROGRESSING) {
                return new Check(false, false, true, target.describe() + " is still progressing: " + health.detail());
            }
            notes.add(health.detail());
        }
        List<String> bad = new ArrayList<>();
        if (!judgeSignals) {
            if (!service.signals().isEmpty()) {
                notes.add("metrics not configured, judged by target health only");
            }
            return new Check(true, false, String.join("; ", notes));
        }
        service.signals().forEach((name, query) -> {
            java.time.Instant at = clock.instant();
            Reading now = signals.query(query, at);
            if (now instanceof Reading.Unavailable unavailable) {
                bad.add(name + " could not be read (" + unavailable.reason() + ")");
                return;
            }
            if (!(now instanceof Reading.Value value)) {
                notes.add(name + ": " + now.describe());
                return;
            }
            seen.add(new SignalSample(name, SignalSample.VERIFY, at, value.value()));
            Optional<Double> baseline = before.flatMap(a -> a.signals().stream()
                    .filter(r -> r.name().equals(name)).findFirst()).flatMap(SignalReading::baselineValue);
            SignalKind kind = SignalKind.of(name);
            Optional<String> problem = judge(kind, value.value(), baseline, service);
            String label = kind == SignalKind.ERROR_RATE ? "error rate" : kind == SignalKind.LATENCY ? "p99 latency" : name;
            if (problem.isPresent()) {
                bad.add(label + " still " + NumberText.of(kind, value.value()) + problem.get());
            } else {
                notes.add(label + " " + NumberText.of(kind, value.value()));
            }
        });
        if (!bad.isEmpty()) {
            return new Check(false, false, String.join(", ", bad));
        }
        return new Check(true, false, String.join("; ", notes));
    }

    /** Empty when the value is acceptable; else the words after the number ("(threshold 5.0%)"). */
    static Optional<String> judge(SignalKind kind, double value, Optional<Double> baseline, ServiceConfig service) {
        double ratio = service.verification().baselineRatio();
        switch (kind) {
            case ERROR_RATE -> {
                double threshold = service.thresholds().plannedErrorRate();
                boolean nearBaseline = baseline.isPresent() && value <= baseline.get() * ratio;
                return value <= threshold || nearBaseline ? Optional.empty()
                        : Optional.of(" (threshold " + NumberText.percent(threshold) + ")");
            }
            case LATENCY -> {
                if (baseline.isEmpty() || baseline.get() == 0.0) {
                    return Optional.empty();
                }
                double limit = baseline.get() * Math.max(ratio, 1.0);
                return value <= limit ? Optional.empty()
                        : Optional.of(" (baseline " + NumberText.seconds(baseline.get()) + ")");
            }
            default -> {
                return Optional.empty();
            }
        }
    }
}
