package dev.rewind.adapter.argocd;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The parts of an Argo CD {@code Application} (as {@code GET /api/v1/applications/{name}} returns it) Rewind reads. */
final class ArgoApplication {

    /** One entry of {@code status.history}: what was deployed, and when. */
    record Deployment(long id, String revision, Optional<Instant> deployedAt, String source) {
        String shortRevision() {
            return revision.length() > 7 ? revision.substring(0, 7) : revision;
        }

        String label() {
            return "#" + id + " " + shortRevision();
        }
    }

    private final JsonNode app;

    ArgoApplication(JsonNode app) {
        this.app = app;
    }

    String syncStatus() {
        return app.path("status").path("sync").path("status").asString("Unknown");
    }

    String health() {
        return app.path("status").path("health").path("status").asString("Unknown");
    }

    Optional<String> healthMessage() {
        return text(app.path("status").path("health").path("message"));
    }

    JsonNode syncPolicy() {
        return app.path("spec").path("syncPolicy");
    }

    boolean automatedSync() {
        JsonNode automated = syncPolicy().path("automated");
        return automated.isObject() && automated.path("enabled").asBoolean(true);
    }

    boolean selfHeal() {
        return automatedSync() && syncPolicy().path("automated").path("selfHeal").asBoolean(false);
    }

    boolean prune() {
        return automatedSync() && syncPolicy().path("automated").path("prune").asBoolean(false);
    }

    /** The deployment history, newest first. */
    List<Deployment> history() {
        List<Deployment> history = new ArrayList<>();
        for (JsonNode entry : app.path("status").path("history")) {
            history.add(new Deployment(entry.path("id").asLong(), revision(entry), instant(entry.path("deployedAt")),
                    source(entry.path("source"))));
        }
        history.sort(Comparator.comparingLong(Deployment::id).reversed());
        return history;
    }

    /** What runs now: the newest history entry. */
    Optional<Deployment> live() {
        return history().stream().findFirst();
    }

    Optional<String> operationPhase() {
        return text(app.path("status").path("operationState").path("phase"));
    }

    /** An operation is requested (top-level {@code operation}, not yet picked up) or under way. */
    boolean operationRunning() {
        return app.path("operation").isObject()
                || operationPhase().map(p -> p.equals("Running") || p.equals("Terminating")).orElse(false);
    }

    boolean operationFailed() {
        return operationPhase().map(p -> p.equals("Failed") || p.equals("Error")).orElse(false);
    }

    String operationMessage() {
        return text(app.path("status").path("operationState").path("message")).orElse("no message");
    }

    /** The revision the current or last operation syncs to. */
    Optional<String> operationRevision() {
        JsonNode state = app.path("status").path("operationState");
        return text(state.path("operation").path("sync").path("revision"))
                .or(() -> text(state.path("syncResult").path("revision")));
    }

    /** The git revision Argo CD compares the live state with: where the tracked branch points now. */
    Optional<String> targetRevision() {
        return text(app.path("status").path("sync").path("revision"));
    }

    Optional<String> annotation(String name) {
        return text(app.path("metadata").path("annotations").path(name));
    }

    /** {@code Synced / Healthy, operation Succeeded}: for progress lines and messages. */
    String summary() {
        return syncStatus() + " / " + health() + healthMessage().map(m -> " (" + m + ")").orElse("")
                + operationPhase().map(p -> ", operation " + p).orElse("");
    }

    private static String revision(JsonNode entry) {
        if (entry.path("revision").isString() && !entry.path("revision").asString().isBlank()) {
            return entry.path("revision").asString();
        }
        List<String> revisions = new ArrayList<>();
        entry.path("revisions").forEach(r -> revisions.add(r.asString()));
        return String.join(",", revisions);
    }

    private static String source(JsonNode source) {
        String repo = source.path("repoURL").asString("");
        String path = source.path("path").asString(source.path("chart").asString(""));
        return path.isEmpty() ? repo : repo + " " + path;
    }

    private static Optional<Instant> instant(JsonNode node) {
        try {
            return text(node).map(Instant::parse);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode node) {
        return node.isString() && !node.asString().isBlank() ? Optional.of(node.asString()) : Optional.empty();
    }
}
