package dev.rewind.config;

/**
 * Where the decision tiers start. Error rates are fractions (0.05 = 5%); latency factors are
 * multiples of the baseline p99.
 */
public record TierThresholds(
        double immediateErrorRate,
        double fastErrorRate,
        double fastLatencyFactor,
        double plannedErrorRate,
        double plannedLatencyFactor) {

    /** Common practice: 5xx above 50% is an outage; above 10% or 3× latency is urgent; 5% or 2× is worth planning. */
    public static final TierThresholds DEFAULT = new TierThresholds(0.50, 0.10, 3.0, 0.05, 2.0);
}
