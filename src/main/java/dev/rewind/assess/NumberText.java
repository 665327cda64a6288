package dev.rewind.assess;

import java.util.Locale;

/** How numbers read on a card: {@code 18.2%}, {@code 450 ms}, {@code 1.2 s}, {@code 45×}. */
public final class NumberText {

    private NumberText() {
    }

    public static String percent(double fraction) {
        double pct = fraction * 100;
        if (pct != 0 && Math.abs(pct) < 0.1) {
            return String.format(Locale.ROOT, "%.2f%%", pct);
        }
        return String.format(Locale.ROOT, "%.1f%%", pct);
    }

    public static String seconds(double seconds) {
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
        }
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }

    public static String ratio(double ratio) {
        if (ratio >= 10) {
            return String.format(Locale.ROOT, "%.0f×", ratio);
        }
        return String.format(Locale.ROOT, "%.1f×", ratio);
    }

    public static String plain(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }

    public static String of(SignalKind kind, double value) {
        return switch (kind) {
            case ERROR_RATE -> percent(value);
            case LATENCY -> seconds(value);
            case OTHER -> plain(value);
        };
    }
}
