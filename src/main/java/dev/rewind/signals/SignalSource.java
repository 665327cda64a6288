package dev.rewind.signals;

import java.time.Instant;

/**
 * Where signal numbers come from (Prometheus, or nothing). Implementations never throw for a
 * failed query: the failure is a {@link Reading.Unavailable} with the reason. May block up to the
 * source's own timeout.
 */
public interface SignalSource {

    /** The value of {@code query} (which must return one number) evaluated at {@code at}. */
    Reading query(String query, Instant at);

    /** Whether a source is configured at all; the card says so when it is not. */
    default boolean configured() {
        return true;
    }
}
