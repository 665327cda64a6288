package dev.rewind.rollback;

import dev.rewind.assess.NumberText;
import dev.rewind.assess.SignalKind;
import dev.rewind.config.PolicyRule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a rule's signal limits hold for one number, in words for the card. Shared by the alert path
 * ({@link AutoRollback}) and the deploy guard, so a rule means the same whatever checks it.
 */
public final class RuleConditions {

    private RuleConditions() {
    }

    /**
     * Why the rule's limits hold for {@code value} of signal {@code name} ("errorRate 7.2% vs 0.4% before r42"), or
     * empty when one does not. A limit against the baseline never holds without a baseline.
     *
     * @param baseline the same signal before the deploy, when known
     * @param basis    how that baseline was taken ("before r42"), for the sentence
     */
    public static Optional<String> signal(PolicyRule.Limits limits, String name, double value, Optional<Double> baseline,
                                          String basis) {
        if (limits.above().isPresent() && !(value > limits.above().get())
                || limits.below().isPresent() && !(value < limits.below().get())) {
            return Optional.empty();
        }
        if (limits.needsBaseline() && baseline.isEmpty()) {
            return Optional.empty();
        }
        if (limits.aboveBaseline().isPresent() && !(value > baseline.get() * limits.aboveBaseline().get())
                || limits.belowBaseline().isPresent() && !(value < baseline.get() * limits.belowBaseline().get())) {
            return Optional.empty();
        }
        SignalKind kind = SignalKind.of(name);
        List<String> compared = new ArrayList<>();
        limits.above().ifPresent(limit -> compared.add("> " + NumberText.of(kind, limit)));
        limits.below().ifPresent(limit -> compared.add("< " + NumberText.of(kind, limit)));
        limits.aboveBaseline().ifPresent(factor -> compared.add("> " + times(factor) + " baseline"));
        limits.belowBaseline().ifPresent(factor -> compared.add("< " + times(factor) + " baseline"));
        return Optional.of(name + " " + NumberText.of(kind, value)
                + baseline.filter(b -> limits.needsBaseline()).map(b -> " vs " + NumberText.of(kind, b) + " " + basis).orElse("")
                + " (" + String.join(", ", compared) + ")");
    }

    private static String times(double factor) {
        return (factor == Math.rint(factor) ? Long.toString((long) factor) : Double.toString(factor)) + "x";
    }
}
