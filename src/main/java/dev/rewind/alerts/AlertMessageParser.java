package dev.rewind.alerts;

import dev.rewind.config.Catalogue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the alert messages other tools post in Slack — Alertmanager's Slack notifications
 * ({@code [FIRING:2] HighErrorRate …}) and Grafana's ({@code Labels: - service = checkout}) — into
 * alerts. A message it cannot read as an alert gives nothing: those are ignored quietly. Pure.
 * <p>
 * Anyone who can post in a watched channel controls the text, so reading it is linear in its length:
 * only the first {@value #MAX_TEXT} characters are read (an Alertmanager or Grafana notification is far
 * smaller), and labels are read one line at a time with a pattern that cannot leave its line and has no
 * two quantifiers competing for the same characters.
 */
public final class AlertMessageParser {

    private static final Pattern STATUS = Pattern.compile("\\[(FIRING|RESOLVED)(?::(\\d+))?]", Pattern.CASE_INSENSITIVE);
    private static final Pattern AFTER_STATUS = Pattern.compile("\\[(?:FIRING|RESOLVED)(?::\\d+)?]\\s*([A-Za-z_][\\w:.-]*)",
            Pattern.CASE_INSENSITIVE);
    /** How much of a message is read; the rest is ignored. */
    public static final int MAX_TEXT = 8192;
    /**
     * One line {@code • key: `value`} / {@code - key = value} / {@code *key*: value}: bullets, the key,
     * the separator; the value is the rest of the line, trimmed in code. Possessive quantifiers and
     * {@code \h} (never a line break) keep every match linear.
     */
    private static final Pattern LABEL = Pattern.compile(
            "[\\h>*•·-]*+`?\\*?([A-Za-z_][A-Za-z0-9_]*+)\\*?`?\\h*+[=:](.*+)");
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
    private static final int MAX_FIELDS = 50;
    private static final java.util.Set<String> NOT_LABELS = java.util.Set.of("value", "values", "source", "silence",
            "dashboard", "panel", "labels", "annotations", "alert", "alerts", "description", "summary", "runbook", "details",
            "firing", "resolved", "http", "https");

    private AlertMessageParser() {
    }

    /** A message's parts: its text, and each attachment's title, text and fields (title → value). */
    public record Message(String source, String text, List<Part> attachments) {
        public record Part(String title, String text, Map<String, String> fields) {
        }
    }

    public static Optional<Alert> parse(Message message, Catalogue catalogue, Instant at) {
        StringBuilder all = new StringBuilder(clip(message.text()));
        Map<String, String> labels = new LinkedHashMap<>();
        for (Message.Part part : message.attachments()) {
            if (all.length() >= MAX_TEXT) {
                break;
            }
            all.append('\n').append(clip(part.title())).append('\n').append(clip(part.text()));
            part.fields().entrySet().stream().limit(MAX_FIELDS).forEach(field -> {
                String key = clip(field.getKey()).trim().toLowerCase(Locale.ROOT).replace(' ', '_');
                String value = clip(field.getValue());
                if (key.length() <= 100 && key.matches("[a-z_][a-z0-9_]*") && !value.isBlank()) {
                    labels.putIfAbsent(key, value.trim());
                }
            });
        }
        String text = clip(all.toString());
        Matcher status = STATUS.matcher(text);
        if (!status.find()) {
            return Optional.empty();
        }
        boolean firing = status.group(1).equalsIgnoreCase("FIRING");
        Map<String, String> annotations = new LinkedHashMap<>();
        for (String line : LINE_BREAK.split(text)) {
            Matcher label = LABEL.matcher(line);
            if (!label.matches()) {
                continue;
            }
            Optional<String> read = value(label.group(2));
            if (read.isEmpty()) {
                continue;
            }
            String key = label.group(1);
            String value = read.get();
            if (value.isEmpty() || NOT_LABELS.contains(key.toLowerCase(Locale.ROOT))) {
                if (key.equalsIgnoreCase("summary") || key.equalsIgnoreCase("description")) {
                    annotations.putIfAbsent(key.toLowerCase(Locale.ROOT), value);
                }
                continue;
            }
            labels.putIfAbsent(key, value);
        }
        if (!labels.containsKey("alertname")) {
            Matcher name = AFTER_STATUS.matcher(text);
            if (name.find()) {
                labels.put("alertname", name.group(1));
            }
        }
        String serviceLabel = catalogue.alerts().serviceLabel();
        if (!labels.containsKey(serviceLabel)) {
            String lower = text.toLowerCase(Locale.ROOT);
            catalogue.names().stream()
                    .filter(name -> Pattern.compile("(?<![\\w-])" + Pattern.quote(name.toLowerCase(Locale.ROOT)) + "(?![\\w-])")
                            .matcher(lower).find())
                    .findFirst().ifPresent(name -> labels.put(serviceLabel, name));
        }
        if (!labels.containsKey("alertname") || !labels.containsKey(serviceLabel)) {
            return Optional.empty();
        }
        Map<String, String> identity = new java.util.TreeMap<>(labels);
        identity.put("__source", message.source());
        return Optional.of(new Alert(AlertmanagerPayload.fingerprintOf(identity), labels.get("alertname"),
                firing ? Alert.Status.FIRING : Alert.Status.RESOLVED, labels, annotations, at,
                firing ? Optional.empty() : Optional.of(at), message.source()));
    }

    /**
     * A label's value from the rest of its line: trimmed, in one pair of backticks or none; a value
     * with a backtick inside is not a label value (it is prose with code in it).
     */
    private static Optional<String> value(String rest) {
        String value = rest.strip();
        if (value.startsWith("`")) {
            value = value.substring(1);
        }
        if (value.endsWith("`")) {
            value = value.substring(0, value.length() - 1);
        }
        return value.indexOf('`') >= 0 ? Optional.empty() : Optional.of(value.strip());
    }

    private static String clip(String text) {
        if (text == null) {
            return "";
        }
        return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
    }
}
