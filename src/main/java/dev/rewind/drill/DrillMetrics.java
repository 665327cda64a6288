package dev.rewind.drill;

import java.time.Duration;
import java.util.Optional;

/** What drills report to the bot's metrics. */
public interface DrillMetrics {

    /** A drill ended as {@code state}; {@code recovery} is its start → verified, when it got that far. */
    void ended(String service, DrillState state, Optional<Duration> recovery);

    DrillMetrics NONE = (service, state, recovery) -> { };
}
