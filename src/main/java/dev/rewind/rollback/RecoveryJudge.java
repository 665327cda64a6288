package dev.rewind.rollback;

import dev.rewind.assess.NumberText;
import dev.rewind.assess.SignalKind;
import dev.rewind.signals.ProbeAnswer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether one verification check passed, from its numbers and probe answers alone. Pure. The rule is the
 * playbooks': the error rate at most {@code maxErrorRate} (1%) or within {@code baselineRatio} of its pre-deploy
 * baseline; p99 latency within {@code baselineRatio} of its baseline; every probe as expected.
 */
public final class RecoveryJudge {

    private RecoveryJudge() {
    }

    /** One signal as read for this check; {@code unreadable} says why there is no value. */
    public record SignalNow(String name, Optional<Double> value, Optional<Double> baseline, Optional<String> unreadable) {
        public static SignalNow of(String name, double value, Optional<Double> baseline) {
            return new SignalNow(name, Optional.of(value), baseline, Optional.empty());
        }

        public static SignalNow unreadable(String name, String why) {
            return new SignalNow(name, Optional.empty(), Optional.empty(), Optional.of(why));
        }
    }

    public enum Verdict {
        /** Every signal and probe as it should be. */
        PASS,
        /** Something is still wrong: the numbers or a probe say so. */
        FAIL,
        /** Nothing is wrong that can be seen, but a signal could not be read. */
        NO_NUMBERS
    }

    /** @param detail the sentence for the timeline: what was wrong, else what was seen */
    public record Judgement(Verdict verdict, String detail) {
    }

    public static Judgement judge(List<SignalNow> signals, List<ProbeAnswer> probes, double maxErrorRate, double baselineRatio) {
        List<String> bad = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (SignalNow signal : signals) {
            SignalKind kind = SignalKind.of(signal.name());
            String label = kind == SignalKind.ERROR_RATE ? "error rate" : kind == SignalKind.LATENCY ? "p99 latency" : signal.name();
            if (signal.value().isEmpty()) {
                unread.add(label + " could not be read (" + signal.unreadable().orElse("no samples") + ")");
                continue;
            }
            double value = signal.value().get();
            Optional<String> problem = problem(kind, value, signal.baseline(), maxErrorRate, baselineRatio);
            if (problem.isPresent()) {
                bad.add(label + " still " + NumberText.of(kind, value) + problem.get());
            } else {
                seen.add(label + " " + NumberText.of(kind, value));
            }
        }
        for (ProbeAnswer probe : probes) {
            (probe.ok() ? seen : bad).add(probe.detail());
        }
        if (!bad.isEmpty()) {
            return new Judgement(Verdict.FAIL, String.join(", ", bad));
        }
        if (!unread.isEmpty()) {
            return new Judgement(Verdict.NO_NUMBERS, String.join(", ", unread));
        }
        return new Judgement(Verdict.PASS, String.join("; ", seen));
    }

    /** Empty when the value is acceptable; else the words after it (" (ceiling 1.0%, baseline 0.4%)"). */
    static Optional<String> problem(SignalKind kind, double value, Optional<Double> baseline, double maxErrorRate,
                                    double baselineRatio) {
        switch (kind) {
            case ERROR_RATE -> {
                boolean nearBaseline = baseline.isPresent() && value <= baseline.get() * baselineRatio;
                return value <= maxErrorRate || nearBaseline ? Optional.empty()
                        : Optional.of(" (ceiling " + NumberText.percent(maxErrorRate)
                        + baseline.map(b -> ", baseline " + NumberText.percent(b)).orElse("") + ")");
            }
            case LATENCY -> {
                if (baseline.isEmpty() || baseline.get() == 0.0) {
                    return Optional.empty();
                }
                return value <= baseline.get() * Math.max(baselineRatio, 1.0) ? Optional.empty()
                        : Optional.of(" (baseline " + NumberText.seconds(baseline.get()) + ")");
            }
            default -> {
                return Optional.empty();
            }
        }
    }
}
