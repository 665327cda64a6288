package dev.rewind.adapter.gitrevert;

import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Call;
import dev.rewind.testing.FakeHttpService.Reply;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Argo CD's application API as the git-revert sync check reads it: one application, {@code checkout},
 * whose compared revision ({@code status.sync.revision}), sync status, health and last operation the
 * test sets the way Argo CD's controller reports them. With {@link #follow} it behaves like automated
 * sync: a few reads after the branch moves, it is Synced and Healthy at the branch's head.
 */
final class ArgoCdStandIn implements AutoCloseable {

    static final String TOKEN = "argocd-secret-token";
    static final String APPLICATION = "checkout";

    private final FakeHttpService server = new FakeHttpService(this::handle);
    private volatile String revision;
    private volatile String sync = "Synced";
    private volatile String health = "Healthy";
    private volatile String healthMessage = "";
    private volatile String phase = "Succeeded";
    private volatile String operationRevision;
    private volatile String message = "successfully synced (all tasks run)";
    private volatile boolean automated = true;
    private volatile String healthAfterSync = "Healthy";
    private volatile String healthMessageAfterSync = "";
    private volatile Supplier<String> head;
    private volatile int readsBehind;

    ArgoCdStandIn(String revision) {
        at(revision);
    }

    /** Synced at {@code sha} after a successful sync, and Healthy (or as {@link #healthAfterSync} says). */
    void at(String sha) {
        revision = sha;
        operationRevision = sha;
        sync = "Synced";
        health = healthAfterSync;
        healthMessage = healthMessageAfterSync;
        phase = "Succeeded";
        message = "successfully synced (all tasks run)";
    }

    /** Refreshed: compares with {@code sha} now, but has not synced it. */
    void refreshedTo(String sha) {
        revision = sha;
        sync = "OutOfSync";
    }

    void health(String status, String why) {
        health = status;
        healthMessage = why;
    }

    /** What the application's health is after its next sync. */
    void healthAfterSync(String status, String why) {
        healthAfterSync = status;
        healthMessageAfterSync = why;
    }

    /** The sync to {@code sha} failed with Argo CD's {@code why}. */
    void syncFailed(String sha, String why) {
        revision = sha;
        operationRevision = sha;
        sync = "OutOfSync";
        phase = "Failed";
        message = why;
    }

    void automatedSync(boolean on) {
        automated = on;
    }

    /** Automated sync: {@code reads} reads after {@code branchHead} moves, the application is at the new head. */
    void follow(Supplier<String> branchHead, int reads) {
        head = branchHead;
        readsBehind = reads;
    }

    FakeHttpService server() {
        return server;
    }

    String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
    }

    private Reply handle(Call call) {
        if (!("Bearer " + TOKEN).equals(call.header("Authorization"))) {
            return Reply.json(401, Map.of("error", "invalid session: token signature is invalid", "code", 16,
                    "message", "invalid session: token signature is invalid"));
        }
        if (!call.method().equals("GET")) {
            return null;
        }
        if (!call.path().equals("/api/v1/applications/" + APPLICATION)) {
            String message = "permission denied: applications, get, " + call.path();
            return Reply.json(403, Map.of("error", message, "code", 7, "message", message));
        }
        Supplier<String> following = head;
        if (following != null && !following.get().equals(revision) && --readsBehind < 0) {
            at(following.get());
        }
        return Reply.ok(json());
    }

    private Map<String, Object> json() {
        Map<String, Object> syncPolicy = new LinkedHashMap<>();
        if (automated) {
            syncPolicy.put("automated", Map.of("prune", true, "selfHeal", true));
        }
        Map<String, Object> healthJson = new LinkedHashMap<>();
        healthJson.put("status", health);
        if (!healthMessage.isEmpty()) {
            healthJson.put("message", healthMessage);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("sync", Map.of("status", sync, "revision", revision));
        status.put("health", healthJson);
        status.put("operationState", Map.of("phase", phase, "message", message,
                "operation", Map.of("sync", Map.of("revision", operationRevision)),
                "syncResult", Map.of("revision", operationRevision)));
        return Map.of("metadata", Map.of("name", APPLICATION, "namespace", "argocd"),
                "spec", Map.of("project", "default", "syncPolicy", syncPolicy,
                        "source", Map.of("repoURL", "https://github.com/org/gitops", "path", "apps/checkout",
                                "targetRevision", "HEAD")),
                "status", status);
    }
}
