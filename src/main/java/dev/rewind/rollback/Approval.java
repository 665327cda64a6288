package dev.rewind.rollback;

import java.time.Instant;

/** One person's approval of one run; {@code breakGlass} when it alone was allowed to suffice. */
public record Approval(String runId, String userId, Instant at, boolean breakGlass) {
}
