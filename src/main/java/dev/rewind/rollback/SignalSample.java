package dev.rewind.rollback;

import java.time.Instant;

/**
 * One signal value seen during a run.
 *
 * @param phase {@code baseline}, {@code assessed} (each assessment) or {@code verify} (each recovery check)
 */
public record SignalSample(String signal, String phase, Instant at, double value) {

    public static final String BASELINE = "baseline";
    public static final String ASSESSED = "assessed";
    public static final String VERIFY = "verify";
}
