package dev.rewind.alerts;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Alertmanager's webhook payload (version 4): receiver, status, alerts[] (status, labels,
 * annotations, startsAt, endsAt, fingerprint), groupLabels, commonLabels, groupKey, externalURL.
 * Reading it says precisely what is wrong with a malformed one.
 */
public final class AlertmanagerPayload {

    public static final String SOURCE = "alertmanager";
    /** Alerts read from one payload; Alertmanager's {@code max_alerts} keeps its payloads within it. */
    public static final int MAX_ALERTS = 1000;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Alertmanager's "no end time yet". */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private AlertmanagerPayload() {
    }

    public static List<Alert> parse(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedAlertException("the body is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedAlertException("the body must be a JSON object (Alertmanager webhook payload)");
        }
        String version = root.path("version").asString();
        if (!version.isEmpty() && !version.equals("4")) {
            throw new MalformedAlertException("payload version " + version + " is not supported; Alertmanager sends version 4");
        }
        JsonNode alerts = root.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new MalformedAlertException("'alerts' must be a list");
        }
        if (alerts.size() > MAX_ALERTS) {
            throw new TooManyAlertsException("the payload carries " + alerts.size() + " alerts; Rewind reads at most "
                    + MAX_ALERTS + " per payload: set max_alerts: " + MAX_ALERTS + " in Alertmanager's webhook_config "
                    + "(it then sends the first " + MAX_ALERTS + " and counts the rest in truncatedAlerts)");
        }
        Map<String, String> common = labels(root.path("commonLabels"), "commonLabels");
        List<Alert> parsed = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            parsed.add(alert(alerts.get(i), "alerts[" + i + "]", common));
        }
        return parsed;
    }

    private static Alert alert(JsonNode node, String where, Map<String, String> common) {
        if (!node.isObject()) {
            throw new MalformedAlertException(where + " must be an object");
        }
        String status = node.path("status").asString();
        if (!status.equals("firing") && !status.equals("resolved")) {
            throw new MalformedAlertException(where + ".status must be 'firing' or 'resolved', got '" + status + "'");
        }
        Map<String, String> labels = new LinkedHashMap<>(common);
        labels.putAll(labels(node.path("labels"), where + ".labels"));
        if (!labels.containsKey("alertname")) {
            throw new MalformedAlertException(where + ".labels needs 'alertname'");
        }
        Map<String, String> annotations = labels(node.path("annotations"), where + ".annotations");
        Instant startsAt = time(node.path("startsAt"), where + ".startsAt").orElseThrow(() ->
                new MalformedAlertException(where + ".startsAt is required (RFC 3339)"));
        Optional<Instant> endsAt = time(node.path("endsAt"), where + ".endsAt");
        String fingerprint = node.path("fingerprint").asString();
        if (fingerprint.isEmpty()) {
            fingerprint = fingerprintOf(labels);
        }
        return new Alert(fingerprint, labels.get("alertname"),
                status.equals("firing") ? Alert.Status.FIRING : Alert.Status.RESOLVED, labels, annotations, startsAt,
                status.equals("resolved") ? endsAt : Optional.empty(), SOURCE);
    }

    private static Map<String, String> labels(JsonNode node, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new MalformedAlertException(where + " must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isValueNode()) {
                throw new MalformedAlertException(where + "." + entry.getKey() + " must be a string");
            }
            out.put(entry.getKey(), entry.getValue().asString());
        }
        return out;
    }

    private static Optional<Instant> time(JsonNode node, String where) {
        if (node == null || node.isMissingNode() || node.isNull() || node.asString().isEmpty()
                || node.asString().equals(ZERO_TIME)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(node.asString()));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(java.time.OffsetDateTime.parse(node.asString()).toInstant());
            } catch (DateTimeParseException again) {
                throw new MalformedAlertException(where + " is not an RFC 3339 time: '" + node.asString() + "'");
            }
        }
    }

    /** Alertmanager's own fingerprints are label hashes; this does the same when one is missing. */
    static String fingerprintOf(Map<String, String> labels) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(new TreeMap<>(labels).toString()
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
