package dev.rewind.assess;

/** How urgently a rollback is advised, most urgent first. */
public enum Tier {
    /** An outage or a flagged security/data problem: roll back now. */
    IMMEDIATE("Roll back now"),
    /** Serious and growing: roll back within minutes. */
    FAST("Roll back soon"),
    /** Degraded: plan a rollback or a fix. */
    PLANNED("Plan a rollback or fix"),
    /** Within thresholds: watch it. */
    MONITOR("Monitor"),
    /** No numbers to judge by; people decide from what they see. */
    UNKNOWN("No data to judge by");

    private final String advice;

    Tier(String advice) {
        this.advice = advice;
    }

    public String advice() {
        return advice;
    }
}
