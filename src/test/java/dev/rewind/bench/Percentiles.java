package dev.rewind.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Latency samples in nanoseconds, summarised as people read them. */
final class Percentiles {

    private final List<Long> samples = new ArrayList<>();

    void add(long nanos) {
        samples.add(nanos);
    }

    double millis(double percentile) {
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))) / 1_000_000.0;
    }

    void clear() {
        samples.clear();
    }

    int count() {
        return samples.size();
    }

    String summary() {
        return summary(1);
    }

    /** The summary with {@code decimals} digits after the point, for sub-millisecond figures. */
    String summary(int decimals) {
        String ms = "%." + decimals + "f ms";
        return String.format(Locale.ROOT, "n=%d p50=" + ms + " p95=" + ms + " p99=" + ms + " max=" + ms,
                count(), millis(50), millis(95), millis(99), millis(100));
    }
}
