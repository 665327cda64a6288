package dev.rewind.assess;

import dev.rewind.config.TierThresholds;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the tier from signal readings and flags. Pure: the same inputs always give the same
 * verdict, and each reason quotes the numbers that led to it.
 */
public final class TierPolicy {

    private TierPolicy() {
    }

    private static final String FLOOR = "floor:";

    /**
     * A flag that raises the tier to at least {@code tier} because of {@code because} (an alert's label,
     * {@code severity=critical}), without forcing it: the numbers may still say more. Kept among the assessment's
     * flags so every re-assessment of the card applies it again.
     */
    public static String floorFlag(Tier tier, String because) {
        return FLOOR + tier.name() + ":" + because;
    }

    public static Verdict decide(List<SignalReading> readings, Set<String> allFlags, TierThresholds thresholds) {
        List<String> reasons = new ArrayList<>();
        Tier tier = Tier.UNKNOWN;
        Set<String> flags = new java.util.TreeSet<>();
        List<String> floors = new ArrayList<>();
        for (String flag : allFlags) {
            (flag.startsWith(FLOOR) ? floors : flags).add(flag);
        }
        if (!flags.isEmpty()) {
            reasons.add("flagged " + String.join(", ", flags) + " → IMMEDIATE");
            tier = Tier.IMMEDIATE;
        }
        boolean judged = false;
        for (SignalReading reading : readings) {
            Optional<Tier> signalTier = switch (reading.kind()) {
                case ERROR_RATE -> reading.value().map(rate -> errorRateTier(rate, thresholds));
                case LATENCY -> reading.ratio().map(ratio -> latencyTier(ratio, thresholds));
                case OTHER -> Optional.empty();
            };
            if (signalTier.isEmpty()) {
                continue;
            }
            judged = true;
            if (signalTier.get() != Tier.MONITOR) {
                reasons.add(explain(reading) + " → " + signalTier.get());
            }
            tier = moreUrgent(tier, signalTier.get());
        }
        if (tier == Tier.MONITOR) {
            reasons.add("all signals within thresholds → MONITOR");
        }
        if (!judged && flags.isEmpty()) {
            reasons.add("no error-rate or latency numbers to judge by");
        }
        for (String floor : floors) {
            String[] parts = floor.substring(FLOOR.length()).split(":", 2);
            Tier raised = Tier.valueOf(parts[0]);
            if (moreUrgent(tier, raised) == raised && tier != raised) {
                reasons.add("tier raised to " + raised + " by alert label " + (parts.length > 1 ? parts[1] : "?"));
                tier = raised;
            }
        }
        return new Verdict(tier, reasons);
    }

    static Tier errorRateTier(double rate, TierThresholds t) {
        if (rate > t.immediateErrorRate()) {
            return Tier.IMMEDIATE;
        }
        if (rate > t.fastErrorRate()) {
            return Tier.FAST;
        }
        if (rate > t.plannedErrorRate()) {
            return Tier.PLANNED;
        }
        return Tier.MONITOR;
    }

    static Tier latencyTier(double ratio, TierThresholds t) {
        if (ratio > t.fastLatencyFactor()) {
            return Tier.FAST;
        }
        if (ratio > t.plannedLatencyFactor()) {
            return Tier.PLANNED;
        }
        return Tier.MONITOR;
    }

    /** "error rate 18.2% vs 0.4% before the deploy (45×)". */
    public static String explain(SignalReading reading) {
        SignalKind kind = reading.kind();
        String label = switch (kind) {
            case ERROR_RATE -> "error rate";
            case LATENCY -> "p99 latency";
            case OTHER -> reading.name();
        };
        StringBuilder text = new StringBuilder(label).append(' ');
        text.append(reading.value().map(v -> NumberText.of(kind, v)).orElse(reading.now().describe()));
        reading.baselineValue().ifPresent(b -> text.append(" vs ").append(NumberText.of(kind, b))
                .append(' ').append(reading.baselineBasis()));
        reading.ratio().ifPresent(r -> text.append(" (").append(NumberText.ratio(r)).append(')'));
        return text.toString();
    }

    private static Tier moreUrgent(Tier a, Tier b) {
        if (a == Tier.UNKNOWN) {
            return b;
        }
        if (b == Tier.UNKNOWN) {
            return a;
        }
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
