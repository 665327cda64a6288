package dev.rewind.outbox;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where outbox messages live between being written and being sent. */
public interface OutboxStore {

    /** Adds a message to the end of its stream. */
    void append(String stream, String kind, Optional<String> runId, Optional<String> channel, String payload, Instant now);

    /**
     * Adds a message unless one of the same stream and kind is already waiting and not yet taken by a
     * worker: a redraw reads the latest state when it is sent, so one waiting redraw is enough.
     */
    void appendUnlessWaiting(String stream, String kind, Optional<String> runId, Optional<String> channel, Instant now);

    /**
     * Takes the first waiting message of up to {@code limit} streams that are due, for {@code worker},
     * until {@code until}; with the messages queued behind each (for batching).
     */
    List<Batch> claim(String worker, Instant now, Instant until, int limit);

    void markSent(List<Long> seqs, Instant now, Optional<String> note);

    /** Puts a message back until {@code at}; {@code attempted} says whether it counts as a failed attempt. */
    void retryLater(long seq, Instant at, String why, boolean attempted);

    /** How many messages are waiting, for tests and /readyz. */
    int waiting();

    /** Whether any message not sent yet is due by {@code by} (claimed or not). */
    boolean anyDue(Instant by);

    /** A stream's head and what waits behind it. */
    record Batch(Message head, List<Message> following) {
    }
}
