package dev.rewind.testing;

import dev.rewind.testing.FakeHttpService.Call;
import dev.rewind.testing.FakeHttpService.Reply;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Argo CD's application API, the one fake for both the argocd adapter and git-revert's sync check, with a
 * stand-in application controller. A rollback becomes a pending operation, then Running (health
 * Progressing), then, a few reads later, Succeeded with a new history entry at the rolled-back revision,
 * Healthy and OutOfSync (git still points at the newer revision), as the real controller reports; like the
 * real API server, a rollback is refused while automated sync is on. For the sync check the test moves an
 * application the way the controller reports a git change: {@link App#refreshedTo} (compared, not synced),
 * {@link App#at} (synced), {@link App#syncFailed}, or {@link App#follow} (automated sync a few reads after
 * the branch moves).
 */
public final class FakeArgoCd implements AutoCloseable {

    public static final String TOKEN = "argocd-secret-token";
    private static final Pattern APP = Pattern.compile("/api/v1/applications/([^/]+)");
    private static final Pattern ROLLBACK = Pattern.compile("/api/v1/applications/([^/]+)/rollback");

    /** One application's state. */
    public static final class App {
        public final String name;
        public final List<Map<String, Object>> history = new java.util.concurrent.CopyOnWriteArrayList<>();
        public volatile Map<String, Object> automated = Map.of("prune", true, "selfHeal", true);
        public volatile String health = "Healthy";
        volatile String healthMessage = "";
        volatile String healthAfterSync = "Healthy";
        volatile String healthMessageAfterSync = "";
        public volatile String sync = "Synced";
        public volatile String phase = "Succeeded";
        public volatile String operationRevision;
        public volatile String message = "successfully synced (all tasks run)";
        volatile boolean pending;
        volatile int readsUntilDone;
        /** Where the tracked git branch points: what Argo CD compares with, and what automated sync deploys. */
        public volatile String gitHead;
        public final Map<String, String> annotations = new ConcurrentHashMap<>();
        private volatile java.util.function.Supplier<String> following;
        private volatile int readsBehind;

        App(String name) {
            this.name = name;
        }

        public String liveRevision() {
            return (String) history.get(history.size() - 1).get("revision");
        }

        /** Synced at {@code sha} after a successful sync, and Healthy (or as {@link #healthAfterSync} says). */
        public void at(String sha) {
            if (!sha.equals(liveRevision())) {
                history.add(entry(nextId(), sha));
            }
            gitHead = sha;
            operationRevision = sha;
            sync = "Synced";
            health = healthAfterSync;
            healthMessage = healthMessageAfterSync;
            phase = "Succeeded";
            message = "successfully synced (all tasks run)";
        }

        /** Refreshed: compares with {@code sha} now, but has not synced it. */
        public void refreshedTo(String sha) {
            gitHead = sha;
            sync = "OutOfSync";
        }

        public void health(String status, String why) {
            health = status;
            healthMessage = why;
        }

        /** What the application's health is after its next sync. */
        public void healthAfterSync(String status, String why) {
            healthAfterSync = status;
            healthMessageAfterSync = why;
        }

        /** The sync to {@code sha} failed with Argo CD's {@code why}. */
        public void syncFailed(String sha, String why) {
            gitHead = sha;
            operationRevision = sha;
            sync = "OutOfSync";
            phase = "Failed";
            message = why;
        }

        public void automatedSync(boolean on) {
            automated = on ? Map.of("prune", true, "selfHeal", true) : null;
        }

        /** Automated sync: {@code reads} reads after {@code branchHead} moves, the application is at the new head. */
        public void follow(java.util.function.Supplier<String> branchHead, int reads) {
            following = branchHead;
            readsBehind = reads;
        }

        long nextId() {
            return history.stream().mapToLong(h -> ((Number) h.get("id")).longValue()).max().orElse(0) + 1;
        }
    }

    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final FakeHttpService server = new FakeHttpService(this::handle);
    private volatile int refusePatchWith;
    private volatile boolean failNextRollback;
    private volatile boolean keepAutomated;

    /** An application whose history holds {@code revisions}, oldest first; the last one is live and at git's head. */
    public App app(String name, String... revisions) {
        App app = new App(name);
        for (int i = 0; i < revisions.length; i++) {
            app.history.add(entry(10 + i, revisions[i]));
        }
        app.operationRevision = revisions[revisions.length - 1];
        app.gitHead = revisions[revisions.length - 1];
        apps.put(name, app);
        return app;
    }

    public App get(String name) {
        return apps.get(name);
    }

    /** PATCH answers this status (403: the account may not update applications). */
    public void refusePatch(int status) {
        refusePatchWith = status;
    }

    /** The next rollback's sync fails, as one whose manifests do not apply. */
    public void failNextRollback() {
        failNextRollback = true;
    }

    /** PATCH succeeds but automated sync stays on (something re-applies the Application). */
    public void keepAutomated() {
        keepAutomated = true;
    }

    public FakeHttpService server() {
        return server;
    }

    public String url() {
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
        Matcher matcher;
        if (call.method().equals("POST") && (matcher = ROLLBACK.matcher(call.path())).matches()) {
            App app = apps.get(matcher.group(1));
            return app == null ? notFound(matcher.group(1)) : rollback(app, call.json().path("id").asLong());
        }
        if ((matcher = APP.matcher(call.path())).matches()) {
            App app = apps.get(matcher.group(1));
            if (app == null) {
                return notFound(matcher.group(1));
            }
            if (call.method().equals("PATCH")) {
                if (refusePatchWith != 0) {
                    return Reply.json(refusePatchWith, Map.of("error", "permission denied: applications, update, default/"
                            + app.name, "code", 7, "message", "permission denied: applications, update, default/" + app.name));
                }
                var body = call.json();
                String patch = body.path("patch").asString();
                var merge = FakeHttpService.JSON.readTree(patch);
                var automated = merge.path("spec").path("syncPolicy").path("automated");
                if (!body.path("patchType").asString().equals("merge") || !(automated.isNull() || automated.isObject())) {
                    return Reply.json(400, Map.of("error", "unexpected patch " + patch, "code", 3));
                }
                merge.path("metadata").path("annotations").properties().forEach(a -> {
                    if (a.getValue().isNull()) {
                        app.annotations.remove(a.getKey());
                    } else {
                        app.annotations.put(a.getKey(), a.getValue().asString());
                    }
                });
                if (automated.isObject()) {
                    app.automated = FakeHttpService.JSON.convertValue(automated, Map.class);
                    if (!app.gitHead.equals(app.liveRevision())) {
                        app.operationRevision = app.gitHead;
                        app.pending = true;
                        app.readsUntilDone = 2;
                    }
                } else if (!keepAutomated) {
                    app.automated = null;
                }
                return Reply.ok(json(app));
            }
            if (call.method().equals("GET")) {
                advance(app);
                return Reply.ok(json(app));
            }
        }
        return null;
    }

    private Reply rollback(App app, long id) {
        if (app.automated != null) {
            return Reply.json(400, Map.of("error", "rollback cannot be initiated when auto-sync is enabled", "code", 9,
                    "message", "rollback cannot be initiated when auto-sync is enabled"));
        }
        Map<String, Object> entry = app.history.stream().filter(h -> ((Number) h.get("id")).longValue() == id)
                .findFirst().orElse(null);
        if (entry == null) {
            return Reply.json(400, Map.of("error", "application " + app.name + " does not have deployment with id " + id,
                    "code", 3, "message", "application " + app.name + " does not have deployment with id " + id));
        }
        app.operationRevision = (String) entry.get("revision");
        app.pending = true;
        app.readsUntilDone = stuck ? Integer.MAX_VALUE : 2;
        return Reply.ok(json(app));
    }

    /** When set, a rollback never finishes: the controller is stuck. */
    public volatile boolean stuck;

    /** The stand-in controller: each read moves a rollback (or an automated sync being followed) along. */
    private void advance(App app) {
        java.util.function.Supplier<String> head = app.following;
        if (head != null && !head.get().equals(app.gitHead) && --app.readsBehind < 0) {
            app.at(head.get());
        }
        if (app.pending) {
            app.pending = false;
            app.phase = "Running";
            app.health = "Progressing";
            app.message = "one or more tasks are running";
        } else if (app.phase.equals("Running") && --app.readsUntilDone <= 0) {
            if (failNextRollback) {
                failNextRollback = false;
                app.phase = "Failed";
                app.health = "Degraded";
                app.message = "one or more objects failed to apply, reason: Deployment.apps \"shop\" is invalid";
                return;
            }
            app.history.add(entry(app.nextId(), app.operationRevision));
            app.phase = "Succeeded";
            app.health = "Healthy";
            app.sync = "OutOfSync";
            app.message = "successfully synced (all tasks run)";
        }
    }

    private static Map<String, Object> entry(long id, String revision) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", id);
        entry.put("revision", revision);
        entry.put("deployedAt", Instant.parse("2024-05-01T10:00:00Z").plusSeconds(3600 * id).toString());
        entry.put("source", Map.of("repoURL", "https://github.com/org/gitops", "path", "apps/shop", "targetRevision", "HEAD"));
        return entry;
    }

    private static Map<String, Object> json(App app) {
        Map<String, Object> syncPolicy = new LinkedHashMap<>();
        if (app.automated != null) {
            syncPolicy.put("automated", app.automated);
        }
        syncPolicy.put("syncOptions", List.of("CreateNamespace=true"));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("sync", Map.of("status", app.gitHead.equals(app.liveRevision()) ? "Synced" : app.sync,
                "revision", app.gitHead));
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", app.health);
        if (!app.healthMessage.isEmpty()) {
            health.put("message", app.healthMessage);
        }
        status.put("health", health);
        status.put("history", List.copyOf(app.history));
        status.put("operationState", Map.of("phase", app.phase, "message", app.message,
                "operation", Map.of("sync", Map.of("revision", app.operationRevision)),
                "syncResult", Map.of("revision", app.operationRevision)));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("metadata", Map.of("name", app.name, "namespace", "argocd", "annotations", Map.copyOf(app.annotations)));
        result.put("spec", Map.of("project", "default", "syncPolicy", syncPolicy,
                "source", Map.of("repoURL", "https://github.com/org/gitops", "path", "apps/shop", "targetRevision", "HEAD")));
        result.put("status", status);
        if (app.pending) {
            result.put("operation", Map.of("sync", Map.of("revision", app.operationRevision)));
        }
        return result;
    }

    private static Reply notFound(String name) {
        String message = "applications.argoproj.io \"" + name + "\" not found";
        return Reply.json(404, Map.of("error", message, "code", 5, "message", message));
    }
}
