package dev.rewind.stats;

import dev.rewind.assess.Tier;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Answers "how are we doing" for a service or all of them: the stored runs through {@link RollbackStats}. */
public final class StatsService {

    private final RunHistory history;
    private final Clock clock;
    private final Function<String, Map<Tier, Duration>> deadlines;

    /** @param deadlines each service's decision deadlines by tier, as configured */
    public StatsService(RunHistory history, Clock clock, Function<String, Map<Tier, Duration>> deadlines) {
        this.history = history;
        this.clock = clock;
        this.deadlines = deadlines;
    }

    public StatsService(RunHistory history, Clock clock) {
        this(history, clock, service -> RollbackStats.DEADLINES);
    }

    /** The figures now, over {@code window}; {@code service} is a configured name, or empty for all. */
    public StatsReport report(Optional<String> service, StatsWindow window) {
        var now = clock.instant();
        return RollbackStats.of(service, window, now, history.openedSince(service, now.minus(window.length())), deadlines);
    }
}
