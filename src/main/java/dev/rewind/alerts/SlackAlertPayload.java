package dev.rewind.alerts;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How an alert read from a chat message is stored: the message as posted and the alert parsed from
 * it, so that a restart between storing and processing reads it back exactly (the message alone
 * would need the catalogue of the day to parse again).
 */
public final class SlackAlertPayload {

    private static final JsonMapper JSON = JsonMapper.shared();

    private SlackAlertPayload() {
    }

    /** Whether a stored payload's source is one this class wrote. */
    public static boolean isSlack(String source) {
        return source.startsWith("slack:");
    }

    public static String write(String channel, String text, List<Alert> alerts) {
        ObjectNode root = JSON.createObjectNode();
        root.put("channel", channel);
        root.put("text", text == null ? "" : text);
        ArrayNode list = root.putArray("alerts");
        for (Alert alert : alerts) {
            ObjectNode node = list.addObject();
            node.put("fingerprint", alert.fingerprint());
            node.put("name", alert.name());
            node.put("status", alert.status().name());
            node.set("labels", JSON.valueToTree(alert.labels()));
            node.set("annotations", JSON.valueToTree(alert.annotations()));
            node.put("startsAt", alert.startsAt().toString());
            alert.endsAt().ifPresent(end -> node.put("endsAt", end.toString()));
            node.put("source", alert.source());
        }
        return JSON.writeValueAsString(root);
    }

    /** @throws MalformedAlertException when the body is not what {@link #write} wrote */
    public static List<Alert> read(String body) {
        try {
            List<Alert> alerts = new ArrayList<>();
            for (JsonNode node : JSON.readTree(body).path("alerts")) {
                alerts.add(new Alert(node.path("fingerprint").asString(), node.path("name").asString(),
                        Alert.Status.valueOf(node.path("status").asString()), strings(node.path("labels")),
                        strings(node.path("annotations")), Instant.parse(node.path("startsAt").asString()),
                        node.hasNonNull("endsAt") ? Optional.of(Instant.parse(node.path("endsAt").asString())) : Optional.empty(),
                        node.path("source").asString()));
            }
            return alerts;
        } catch (RuntimeException e) {
            throw new MalformedAlertException("stored chat alert cannot be read: " + e.getMessage());
        }
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asString()));
        return map;
    }
}
