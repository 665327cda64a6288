package dev.rewind.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One {@code target:} block of {@code rewind.yml}: the adapter {@code type} and the rest of the block
 * as given. Each adapter reads and validates its own fields through the typed getters, whose
 * messages name the field.
 */
public record Target(String type, Map<String, Object> spec) {

    public Target {
        spec = Collections.unmodifiableMap(new LinkedHashMap<>(spec));
    }

    /** Identifies what is rolled back, for the one-active-run-per-target rule. */
    public String key() {
        return type + ":" + new TreeMap<>(spec);
    }

    /** {@link #key()} as a fixed-length digest, for storing and matching whatever the size of the block. */
    public String id() {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This block bound into an adapter's spec record (the record its {@code specType()} names): text
     * trimmed, blank as absent, {@link Required} fields checked.
     *
     * @throws InvalidTargetException naming the field that is missing or of the wrong kind
     */
    public <T extends Record> T as(Class<T> specType) {
        return TargetSpecs.bind(this, specType);
    }

    public String string(String field) {
        return optionalString(field).orElseThrow(() -> new InvalidTargetException(
                "target of type " + type + " needs '" + field + "'"));
    }

    public Optional<String> optionalString(String field) {
        Object value = spec.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            throw new InvalidTargetException("target of type " + type + ": '" + field + "' must be a single value");
        }
        String text = String.valueOf(value).trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String field) {
        Object value = spec.get(field);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map)) {
            throw new InvalidTargetException("target of type " + type + ": '" + field + "' must be a mapping");
        }
        return (Map<String, Object>) value;
    }

    public List<String> strings(String field) {
        Object value = spec.get(field);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }

    /** Short words for people: {@code kubernetes-deployment shop/checkout}. */
    public String describe() {
        Object name = "";
        for (String field : List.of("deployment", "rollout", "service", "virtualService", "configMap",
                "secret", "statefulSet", "daemonSet", "database", "flag", "application", "repo", "deployTo", "url")) {
            if (spec.containsKey(field)) {
                name = spec.get(field);
                break;
            }
        }
        // URLs (webhooks) may carry credentials in user info or the query string; these words reach Slack.
        String shown = String.valueOf(name).replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1")
                .replaceFirst("[?#].*$", "");
        String namespace = spec.containsKey("namespace") ? spec.get("namespace") + (shown.isEmpty() ? "" : "/") : "";
        return type + " " + namespace + shown;
    }

    /** A target block that its adapter cannot use; the message names the field. */
    public static class InvalidTargetException extends RuntimeException {
        public InvalidTargetException(String message) {
            super(message);
        }
    }
}
