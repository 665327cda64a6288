package dev.rewind.adapter.argocd;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.http.ApiException;
import dev.rewind.adapter.http.JsonApi;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an Argo CD {@code Application} (as {@code GET /api/v1/applications/{name}} returns it) Rewind reads.
 * Public for the git-revert adapter, which reads an application to confirm that a revert was synced.
 */
public final class ArgoApplication {

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

    public ArgoApplication(JsonNode app) {
        this.app = app;
    }

    /**
     * Reads application {@code name}. Argo CD answers 403 both for an application that does not exist
     * and for one the account may not read, so that answer says both.
     */
    public static ArgoApplication read(JsonApi api, String name) {
        return read(api, name, "");
    }

    /** As {@link #read}, after Argo CD has compared it with git again ({@code ?refresh=normal}). */
    public static ArgoApplication readRefreshed(JsonApi api, String name) {
        return read(api, name, "?refresh=normal");
    }

    private static ArgoApplication read(JsonApi api, String name, String query) {
        try {
            return new ArgoApplication(api.get(path(name) + query, "application " + name));
        } catch (ApiException e) {
            if (e.status() == 403) {
                throw new AdapterException("Argo CD application " + name + " not found, or Rewind's account may not read it"
                        + " (Argo CD answers 403 to both): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    static String path(String application) {
        return "/api/v1/applications/" + JsonApi.segment(application);
    }

    public String syncStatus() {
        return app.path("status").path("sync").path("status").asString("Unknown");
    }

    public String health() {
        return app.path("status").path("health").path("status").asString("Unknown");
    }

    public Optional<String> healthMessage() {
        return text(app.path("status").path("health").path("message"));
    }

    JsonNode syncPolicy() {
        return app.path("spec").path("syncPolicy");
    }

    public boolean automatedSync() {
        JsonNode automated = syncPolicy().path("automated");
        return automated.isObject() && automated.path("enabled").asBoolean(true);
    }

    boolean selfHeal() {
        return automatedSync() && syncPolicy().path("automated").path("selfHeal").asBoolean(false);
    }

    boolean prune() {
        return automatedSync() && syncPolicy().path("automated").path("prune").asBoolean(false);
    }

    /**
     * The git revisions the application is compared with ({@code status.sync.revision}, or
     * {@code status.sync.revisions} for an application with several sources): what "Synced" refers to.
     */
    public List<String> syncRevisions() {
        JsonNode sync = app.path("status").path("sync");
        List<String> revisions = new ArrayList<>();
        text(sync.path("revision")).ifPresent(revisions::add);
        sync.path("revisions").forEach(r -> text(r).ifPresent(revisions::add));
        return revisions;
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

    public Optional<String> operationPhase() {
        return text(app.path("status").path("operationState").path("phase"));
    }

    /** An operation is requested (top-level {@code operation}, not yet picked up) or under way. */
    public boolean operationRunning() {
        return app.path("operation").isObject()
                || operationPhase().map(p -> p.equals("Running") || p.equals("Terminating")).orElse(false);
    }

    public boolean operationFailed() {
        return operationPhase().map(p -> p.equals("Failed") || p.equals("Error")).orElse(false);
    }

    public String operationMessage() {
        return text(app.path("status").path("operationState").path("message")).orElse("no message");
    }

    /** The revision the current or last operation syncs to. */
    public Optional<String> operationRevision() {
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
    public String summary() {
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
