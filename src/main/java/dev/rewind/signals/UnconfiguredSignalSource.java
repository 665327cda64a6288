package dev.rewind.signals;

import java.time.Instant;

/** The null object used when {@code PROMETHEUS_URL} is not set. */
public final class UnconfiguredSignalSource implements SignalSource {

    public static final String REASON = "metrics are not configured (PROMETHEUS_URL is not set)";

    @Override
    public Reading query(String query, Instant at) {
        return new Reading.Unavailable(REASON);
    }

    @Override
    public boolean configured() {
        return false;
    }
}
