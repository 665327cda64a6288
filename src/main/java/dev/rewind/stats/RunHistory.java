package dev.rewind.stats;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where the figures come from: the stored runs. */
public interface RunHistory {

    /**
     * The runs opened at or after {@code since}, of {@code service} or (when empty) of every service, oldest
     * first, with their decisions and finished steps. Read-only; may block on the database.
     */
    List<PastRun> openedSince(Optional<String> service, Instant since);
}
