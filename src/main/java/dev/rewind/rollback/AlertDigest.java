package dev.rewind.rollback;

import java.time.Instant;
import java.util.Optional;

/**
 * The alerts behind a card: how many, how many still firing, the latest one, and when it all started
 * and (once every alert resolved) ended.
 */
public record AlertDigest(int alerts, int firing, int notifications, String latestName, String latestSummary,
                          Instant firstFiredAt, Instant lastSeenAt, Optional<Instant> resolvedAt,
                          Optional<Instant> expiredAt) {
}
