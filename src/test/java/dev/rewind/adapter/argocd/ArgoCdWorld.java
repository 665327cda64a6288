package dev.rewind.adapter.argocd;

import dev.rewind.testing.FakeHttpService;
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
 * Argo CD's application API as far as the argocd adapter uses it, with a stand-in application
 * controller: a rollback becomes a pending operation, then Running (health Progressing), then, a few
 * reads later, Succeeded with a new history entry at the rolled-back revision, Healthy and OutOfSync
 * (git still points at the newer revision), as the real controller reports. Like the real API server,
 * a rollback is refused while automated sync is on.
 */
final class ArgoCdWorld implements AutoCloseable {

    static final String TOKEN = "argocd-secret-token";
    private static final Pattern APP = Pattern.compile("/api/v1/applications/([^/]+)");
    private static final Pattern ROLLBACK = Pattern.compile("/api/v1/applications/([^/]+)/rollback");

    /** One application's state. */
    static final class App {
        final String name;
        final List<Map<String, Object>> history = new ArrayList<>();
        volatile Map<String, Object> automated = Map.of("prune", true, "selfHeal", true);
        volatile String health = "Healthy";
        volatile String sync = "Synced";
        volatile String phase = "Succeeded";
        volatile String operationRevision;
        volatile String message = "successfully synced (all tasks run)";
        volatile boolean pending;
        volatile int readsUntilDone;
        /** Where the tracked git branch points: what Argo CD compares with, and what automated sync deploys. */
        volatile String gitHead;
        final Map<String, String> annotations = new ConcurrentHashMap<>();

        App(String name) {
            this.name = name;
        }

        String liveRevision() {
            return (String) history.get(history.size() - 1).get("revision");
        }
    }

    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final FakeHttpService server = new FakeHttpService(this::handle);
    private volatile int refusePatchWith;
    private volatile boolean failNextRollback;
    private volatile boolean keepAutomated;

    App app(String name, String... revisions) {
        App app = new App(name);
        for (int i = 0; i < revisions.length; i++) {
            app.history.add(entry(10 + i, revisions[i]));
        }
        app.operationRevision = revisions[revisions.length - 1];
        app.gitHead = revisions[revisions.length - 1];
        apps.put(name, app);
        return app;
    }

    App get(String name) {
        return apps.get(name);
    }

    /** PATCH answers this status (403: the account may not update applications). */
    void refusePatch(int status) {
        refusePatchWith = status;
    }

    /** The next rollback's sync fails, as one whose manifests do not apply. */
    void failNextRollback() {
        failNextRollback = true;
    }

    /** PATCH succeeds but automated sync stays on (something re-applies the Application). */
    void keepAutomated() {
        keepAutomated = true;
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
    volatile boolean stuck;

    /** The stand-in controller: each read moves a rollback along. */
    private void advance(App app) {
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
            long next = app.history.stream().mapToLong(h -> ((Number) h.get("id")).longValue()).max().orElse(0) + 1;
            app.history.add(entry(next, app.operationRevision));
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
        status.put("health", Map.of("status", app.health));
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
