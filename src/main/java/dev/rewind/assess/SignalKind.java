package dev.rewind.assess;

import java.util.Locale;

/**
 * What a signal measures, told by its name in {@code rewind.yml}: names containing "error" are
 * error-rate fractions, names containing "latency", "p99" or "duration" are latencies in seconds.
 * The decision tier is driven by those two kinds; others are shown but not judged.
 */
public enum SignalKind {
    ERROR_RATE, LATENCY, OTHER;

    public static SignalKind of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.contains("error") || lower.contains("5xx") || lower.contains("fail")) {
            return ERROR_RATE;
        }
        if (lower.contains("latency") || lower.contains("p99") || lower.contains("p95") || lower.contains("duration")) {
            return LATENCY;
        }
        return OTHER;
    }
}
