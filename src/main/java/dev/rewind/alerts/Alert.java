package dev.rewind.alerts;

import dev.rewind.rollback.Mentions;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One alert, from whichever source, in the shape Alertmanager gives it.
 *
 * @param fingerprint stable identity of the alert across repeats (Alertmanager's, or derived from its labels)
 * @param source      {@code alertmanager}, {@code slack:alertmanager}, {@code slack:grafana}
 */
public record Alert(
        String fingerprint,
        String name,
        Status status,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant startsAt,
        Optional<Instant> endsAt,
        String source) {

    public enum Status { FIRING, RESOLVED }

    public Alert {
        // Whoever fires or posts an alert may not make Rewind ping anyone: its words name no one.
        name = Mentions.neutralise(name);
        labels = neutralised(labels);
        annotations = neutralised(annotations);
    }

    private static Map<String, String> neutralised(Map<String, String> values) {
        Map<String, String> out = new java.util.HashMap<>();
        values.forEach((key, value) -> out.put(Mentions.neutralise(key), Mentions.neutralise(value)));
        return Map.copyOf(out);
    }

    /** The words people wrote for it: summary, else description, else its name. */
    public String summary() {
        String summary = annotations.getOrDefault("summary", annotations.getOrDefault("description", ""));
        return summary.isBlank() ? name : summary;
    }

    public boolean firing() {
        return status == Status.FIRING;
    }
}
