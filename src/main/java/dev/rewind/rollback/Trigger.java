package dev.rewind.rollback;

/** What opened a run. */
public enum Trigger {
    /** Someone typed {@code /rollback service}. */
    COMMAND,
    /** An alert (Alertmanager webhook or an alert message in a watched channel). */
    ALERT,
    /** An automatic-rollback policy. */
    POLICY,
    /** The deploy guard: a policy rule held while it watched a new revision. */
    GUARD,
    /** A drill: a rehearsed rollback and its restore ({@code /rollback drill}, or a drill's schedule). */
    DRILL
}
