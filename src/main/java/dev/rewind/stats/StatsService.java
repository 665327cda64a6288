package dev.rewind.stats;

import java.time.Clock;
import java.util.Optional;

/** Answers "how are we doing" for a service or all of them: the stored runs through {@link RollbackStats}. */
public final class StatsService {

    private final RunHistory history;
    private final Clock clock;

    public StatsService(RunHistory history, Clock clock) {
        this.history = history;
        this.clock = clock;
    }

    /** The figures now, over {@code window}; {@code service} is a configured name, or empty for all. */
    public StatsReport report(Optional<String> service, StatsWindow window) {
        var now = clock.instant();
        return RollbackStats.of(service, window, now, history.openedSince(service, now.minus(window.length())));
    }
}
