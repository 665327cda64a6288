package dev.rewind.rollback;

import dev.rewind.adapter.AdapterRegistry;
import dev.rewind.adapter.SmokeTests;
import dev.rewind.adapter.Health;
import dev.rewind.config.Target;
import dev.rewind.assess.SignalReading;
import dev.rewind.assess.Assessment;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import dev.rewind.signals.Reading;
import dev.rewind.signals.ProbeAnswer;
import dev.rewind.signals.Probes;
import dev.rewind.signals.SignalSource;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a rolled-back service has recovered: every target healthy, and every check judged good by
 * {@link RecoveryJudge} (signals back under the ceiling or near their baseline, probes as expected), for
 * {@code checks} consecutive checks. A rollback that did not bring them back ends {@link Outcome#NOT_RECOVERED}:
 * the change stands, and the deploy was probably not the cause.
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
    private final Probes probes;
    private final SmokeTests smoke;
    private final Clock clock;
    private final Sleeper sleeper;

    public Verifier(AdapterRegistry adapters, SignalSource signals, Probes probes, Clock clock, Sleeper sleeper) {
        this(adapters, signals, probes, SmokeTests.NONE, clock, sleeper);
    }

    public Verifier(AdapterRegistry adapters, SignalSource signals, Probes probes, SmokeTests smoke, Clock clock, Sleeper sleeper) {
        this.smoke = smoke;
        this.adapters = adapters;
        this.signals = signals;
        this.probes = probes;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Whether signal numbers take part in verification (a metrics source is configured). */
    public boolean judgesSignals() {
        return signals.configured();
    }

    /** How verification ended. */
    public enum Outcome {
        RECOVERED,
        /** The change is in effect but the checks kept failing: the deploy may not be the cause. */
        NOT_RECOVERED,
        /** Recovery could not be confirmed: the target is unhealthy, still progressing, or nothing could be read. */
        UNCONFIRMED
    }

    /**
     * The result: how it ended and the sentence that says why. For {@link Outcome#NOT_RECOVERED}, {@code summary}
     * is what was still wrong ("error rate still 18.0% (ceiling 1.0%, baseline 0.4%)") and {@code took} how long
     * the checks ran.
     */
    public record Result(Outcome outcome, String summary, Duration took) {
        public Result(boolean recovered, String summary) {
            this(recovered ? Outcome.RECOVERED : Outcome.UNCONFIRMED, summary, Duration.ZERO);
        }

        public boolean recovered() {
            return outcome == Outcome.RECOVERED;
        }
    }

    public Result verify(ServiceConfig service, Optional<Assessment> before, java.util.function.Consumer<String> progress,
                         java.util.function.Consumer<List<SignalSample>> samples) throws InterruptedException {
        return verify("run", service, before, progress, samples);
    }

    /**
     * As above, for run {@code runId}: once the checks pass, the service's smoke-test Job (if any) must succeed too,
     * else the run did not recover (the change stays).
     */
    public Result verify(String runId, ServiceConfig service, Optional<Assessment> before,
                         java.util.function.Consumer<String> progress,
                         java.util.function.Consumer<List<SignalSample>> samples) throws InterruptedException {
        ServiceConfig.Verification rules = service.verification();
        boolean judgeSignals = !service.signals().isEmpty() && signals.configured();
        boolean judged = judgeSignals || !rules.probes().isEmpty();
        int checks = judged ? rules.checks() : 1;
        int budget = checks * 2;
        int patience = waitsWithin(service.guardrails().executeTimeout(), rules.interval());
        int spent = 0;
        int waited = 0;
        int passed = 0;
        Check last = null;
        while (spent < budget) {
            if (judged || last != null) {
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
                    if (rules.job().isEmpty()) {
                        return new Result(true, "Recovered: " + check.detail());
                    }
                    progress.accept("Running the smoke test (" + rules.job().get().image() + ")");
                    SmokeTests.Result test = smoke.run(runId, service.name(), rules.job().get());
                    if (test.passed()) {
                        return new Result(true, "Recovered: " + check.detail() + "; " + test.detail());
                    }
                    return new Result(Outcome.NOT_RECOVERED, test.detail(), rules.interval().multipliedBy(spent + waited));
                }
            } else {
                passed = 0;
                progress.accept("Not recovered yet: " + check.detail());
                if (check.fatal()) {
                    return new Result(false, check.detail());
                }
            }
        }
        Duration spentChecking = rules.interval().multipliedBy(spent + waited);
        String took = DurationText.format(spentChecking);
        if (last.progressing()) {
            return new Result(false, "Not confirmed after " + took + ": " + last.detail()
                    + ". The change may still take effect; check the target by hand");
        }
        if (last.unread()) {
            return new Result(false, "Rolled back, but recovery could not be confirmed after " + took + ": " + last.detail()
                    + ". Check the numbers by hand");
        }
        return new Result(Outcome.NOT_RECOVERED, last.detail(), spentChecking);
    }

    /** How many checks {@code interval} apart fit in {@code window}; none when checks are not spaced (tests). */
    static int waitsWithin(Duration window, Duration interval) {
        return interval.isZero() ? 0 : (int) Math.min(Integer.MAX_VALUE, window.toMillis() / interval.toMillis());
    }

    private record Check(boolean ok, boolean fatal, boolean progressing, boolean unread, String detail) {
        Check(boolean ok, boolean fatal, String detail) {
            this(ok, fatal, false, false, detail);
        }
    }

    /**
     * One lighter check for the watch after recovery: signals and probes only, no target health (the target may
     * have moved on legitimately since).
     */
    public RecoveryJudge.Judgement watchCheck(ServiceConfig service, Optional<Assessment> before) {
        return judge(service, before, new ArrayList<>(), new ArrayList<>(), !service.signals().isEmpty() && signals.configured());
    }

    private Check check(ServiceConfig service, Optional<Assessment> before, List<SignalSample> seen, boolean judgeSignals) {
        List<String> notes = new ArrayList<>();
        for (Target target : service.targets()) {
            Health health;
            try {
                health = adapters.forTarget(target).verify(target);
            } catch (RuntimeException e) {
                return new Check(false, false, false, true, target.describe() + " could not be read: " + e.getMessage());
            }
            if (health.status() == Health.Status.UNHEALTHY) {
                return new Check(false, true, target.describe() + " is unhealthy: " + health.detail());
            }
            if (health.status() == Health.Status.PROGRESSING) {
                return new Check(false, false, true, false, target.describe() + " is still progressing: " + health.detail());
            }
            notes.add(health.detail());
        }
        if (!judgeSignals && !service.signals().isEmpty()) {
            notes.add("metrics not configured, judged by target health only");
        }
        RecoveryJudge.Judgement judgement = judge(service, before, seen, notes, judgeSignals);
        return switch (judgement.verdict()) {
            case FAIL -> new Check(false, false, judgement.detail());
            case NO_NUMBERS -> new Check(false, false, false, true, judgement.detail());
            case PASS -> {
                if (!judgement.detail().isEmpty()) {
                    notes.add(judgement.detail());
                }
                yield new Check(true, false, String.join("; ", notes));
            }
        };
    }

    /** The signals and probes of one check, judged; readings without a number go to {@code notes}. */
    private RecoveryJudge.Judgement judge(ServiceConfig service, Optional<Assessment> before, List<SignalSample> seen,
                                          List<String> notes, boolean judgeSignals) {
        List<RecoveryJudge.SignalNow> now = new ArrayList<>();
        if (judgeSignals) {
            service.signals().forEach((name, query) -> {
                java.time.Instant at = clock.instant();
                Reading reading = signals.query(query, at);
                if (reading instanceof Reading.Value value) {
                    seen.add(new SignalSample(name, SignalSample.VERIFY, at, value.value()));
                    Optional<Double> baseline = before.flatMap(a -> a.signals().stream()
                            .filter(r -> r.name().equals(name)).findFirst()).flatMap(SignalReading::baselineValue);
                    now.add(RecoveryJudge.SignalNow.of(name, value.value(), baseline));
                } else if (reading instanceof Reading.Unavailable unavailable) {
                    now.add(RecoveryJudge.SignalNow.unreadable(name, unavailable.reason()));
                } else {
                    notes.add(name + ": " + reading.describe());
                }
            });
        }
        List<ProbeAnswer> answers = service.verification().probes().stream()
                .map(p -> probes.probe(p.name(), p.url(), p.expect(), p.timeout(), p.bodyContains())).toList();
        ServiceConfig.Verification rules = service.verification();
        return RecoveryJudge.judge(now, answers, rules.maxErrorRate(), rules.baselineRatio());
    }
}
