package dev.rewind.outbox;

import java.time.Instant;
import java.util.Optional;

/**
 * One message waiting in the outbox. Messages of one {@code stream} are delivered in order;
 * {@code kind} picks the {@link Delivery} that sends it.
 */
public record Message(long seq, String stream, String kind, Optional<String> runId, Optional<String> channel,
                      String payload, Instant createdAt, int attempts) {
}
