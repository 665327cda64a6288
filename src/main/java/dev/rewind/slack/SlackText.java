package dev.rewind.slack;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Slack mrkdwn helpers and Block Kit length limits, so no card is ever rejected for size. */
final class SlackText {

    static final int SECTION_TEXT = 3000;
    static final int HEADER_TEXT = 150;
    static final int BUTTON_TEXT = 75;
    static final int OPTION_TEXT = 75;
    static final int CONTEXT_TEXT = 2000;
    static final int MAX_BLOCKS = 50;
    static final int MAX_OPTIONS = 100;
    static final int MESSAGE_TEXT = 3000;

    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private SlackText() {
    }

    static String clip(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** Escapes the three characters Slack treats as control characters in mrkdwn. */
    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String code(String text) {
        return "`" + escape(text).replace("`", "'") + "`";
    }

    /** A time each reader sees in their own zone, with UTC as the fallback. */
    static final java.time.format.DateTimeFormatter SECONDS = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
            .withZone(java.time.ZoneOffset.UTC);

    /** A time with seconds, shown in each reader's own time zone: how fresh the card's numbers are. */
    static String timeSecs(Instant at) {
        return "<!date^" + at.getEpochSecond() + "^{time_secs}|" + SECONDS.format(at) + " UTC>";
    }

    static String time(Instant at) {
        return "<!date^" + at.getEpochSecond() + "^{time}|" + HHMM.format(at) + ">";
    }

    static String link(String url, String label) {
        return "<" + url + "|" + escape(label) + ">";
    }

    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return (seconds / 60) + " min " + (seconds % 60) + " s";
        }
        return (seconds / 3600) + " h " + (seconds % 3600 / 60) + " min";
    }

    static String age(Instant then, Instant now) {
        long minutes = Duration.between(then, now).toMinutes();
        if (minutes < 1) {
            return "just now";
        }
        if (minutes < 60) {
            return minutes + " min ago";
        }
        if (minutes < 48 * 60) {
            return (minutes / 60) + " h ago";
        }
        return (minutes / (60 * 24)) + " d ago";
    }
}
