package dev.rewind.rollback;

import java.time.Instant;
import java.util.Set;

/** Which deadline steps were sent for each run: each one once, however many replicas check. */
public interface EscalationLedger {

    /** Records {@code step} as sent for {@code runId}; false when it already was (by this or another replica). */
    boolean claim(String runId, Deadlines.Step step, Instant at);

    Set<Deadlines.Step> sent(String runId);
}
