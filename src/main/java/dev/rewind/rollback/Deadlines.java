package dev.rewind.rollback;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The playbooks' decision deadlines as what is due now on an undecided card: a reminder at 60% of its tier's
 * deadline, an escalation at the deadline, each once. Pure. The deadline is the tier's as the card says now,
 * so a re-assessment that changes the tier moves it; time is counted from detection (the card opened).
 */
public final class Deadlines {

    /** A reminder goes out once this share of the deadline has passed. */
    static final double REMINDER_AT = 0.6;

    public enum Step {
        /** A threaded reminder mentioning the approvers. */
        REMINDER,
        /** The on-call group mentioned and, where configured, a PagerDuty incident opened. */
        ESCALATION
    }

    private Deadlines() {
    }

    /** What is due for a card opened at {@code detected} whose tier has {@code deadline}, given what was sent already. */
    public static Optional<Step> due(Instant detected, Optional<Duration> deadline, Instant now, Set<Step> sent) {
        if (deadline.isEmpty() || sent.contains(Step.ESCALATION)) {
            return Optional.empty();
        }
        Duration waited = Duration.between(detected, now);
        if (waited.compareTo(deadline.get()) >= 0) {
            return Optional.of(Step.ESCALATION);
        }
        if (!sent.contains(Step.REMINDER) && waited.toMillis() >= deadline.get().toMillis() * REMINDER_AT) {
            return Optional.of(Step.REMINDER);
        }
        return Optional.empty();
    }
}
