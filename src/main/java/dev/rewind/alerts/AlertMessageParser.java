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
 */
public final class AlertMessageParser {

    private static final Pattern STATUS = Pattern.compile("\\[(FIRING|RESOLVED)(?::(\\d+))?]", Pattern.CASE_INSENSITIVE);
    private static final Pattern AFTER_STATUS = Pattern.compile("\\[(?:FIRING|RESOLVED)(?::\\d+)?]\\s*([A-Za-z_][\\w:.-]*)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern LABEL = Pattern.compile(
            "^[\\s>*•·-]*`?\\*?([A-Za-z_][A-Za-z0-9_]*)\\*?`?\\s*(?:=|:)\\s*`?([^`\\n]*?)`?\\s*$", Pattern.MULTILINE);
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
        StringBuilder all = new StringBuilder(nullToEmpty(message.text()));
        Map<String, String> labels = new LinkedHashMap<>();
        for (Message.Part part : message.attachments()) {
            all.append('\n').append(nullToEmpty(part.title())).append('\n').append(nullToEmpty(part.text()));
            part.fields().forEach((title, value) -> {
                String key = title.trim().toLowerCase(Locale.ROOT).replace(' ', '_');
                if (key.matches("[a-z_][a-z0-9_]*") && !value.isBlank()) {
                    labels.putIfAbsent(key, value.trim());
                }
            });
        }
        String text = all.toString();
        Matcher status = STATUS.matcher(text);
        if (!status.find()) {
            return Optional.empty();
        }
        boolean firing = status.group(1).equalsIgnoreCase("FIRING");
        Matcher label = LABEL.matcher(text);
        Map<String, String> annotations = new LinkedHashMap<>();
        while (label.find()) {
            String key = label.group(1);
            String value = label.group(2).trim();
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

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
