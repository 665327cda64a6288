package dev.rewind.adapter.http;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

import java.util.Optional;

/**
 * What a remote API answered: the status, the body as text, and the body as JSON when it is JSON
 * ({@link MissingNode} otherwise).
 */
public record ApiResponse(int status, String body, JsonNode json) {

    public boolean ok() {
        return status >= 200 && status <= 299;
    }

    /**
     * The remote's own words for a failure: the {@code message} (GitHub, LaunchDarkly, Argo CD,
     * Unleash) or {@code error} field, else the start of the body.
     */
    public String remoteMessage() {
        Optional<String> message = text(json.path("message")).or(() -> text(json.path("error")))
                .or(() -> text(json.path("details").path(0).path("message")));
        if (message.isPresent()) {
            return message.get();
        }
        String trimmed = body == null ? "" : body.strip();
        if (trimmed.isEmpty()) {
            return "no reason given";
        }
        return trimmed.length() > 200 ? trimmed.substring(0, 200) + "…" : trimmed;
    }

    private static Optional<String> text(JsonNode node) {
        return node.isString() && !node.asString().isBlank() ? Optional.of(node.asString()) : Optional.empty();
    }
}
