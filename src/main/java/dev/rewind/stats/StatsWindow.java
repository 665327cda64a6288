package dev.rewind.stats;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How far back the figures look: the last 7, 30 or 90 days. */
public enum StatsWindow {
    DAYS_7("7d", Duration.ofDays(7)),
    DAYS_30("30d", Duration.ofDays(30)),
    DAYS_90("90d", Duration.ofDays(90));

    public static final StatsWindow DEFAULT = DAYS_30;

    private final String text;
    private final Duration length;

    StatsWindow(String text, Duration length) {
        this.text = text;
        this.length = length;
    }

    /** As people type it: {@code 7d}, {@code 30d}, {@code 90d}. */
    public String text() {
        return text;
    }

    public Duration length() {
        return length;
    }

    /** {@code 7d|30d|90d}, any case; empty for anything else. */
    public static Optional<StatsWindow> parse(String typed) {
        String wanted = typed == null ? "" : typed.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(w -> w.text.equals(wanted)).findFirst();
    }

    /** The choices, for messages about a bad one: {@code 7d, 30d or 90d}. */
    public static String choices() {
        return Arrays.stream(values()).limit(values().length - 1L).map(StatsWindow::text)
                .collect(Collectors.joining(", ")) + " or " + values()[values().length - 1].text;
    }
}
