package dev.rewind.adapter.gitrevert;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.argocd.ArgoApplication;
import dev.rewind.adapter.http.JsonApi;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code sync: {argocd: …}}: an Argo CD application, read through Argo CD's REST API. */
final class ArgoCdSync implements GitOpsSync {

    private final SyncSpec.ArgoCd spec;
    private final Secrets secrets;
    private final RetryingHttp http;

    ArgoCdSync(SyncSpec.ArgoCd spec, Secrets secrets, RetryingHttp http) {
        this.spec = spec;
        this.secrets = secrets;
        this.http = http;
    }

    @Override
    public String name() {
        return "Argo CD application " + spec.application();
    }

    @Override
    public SyncStatus read() {
        return new Status(spec.application(), ArgoApplication.read(api(), spec.application()));
    }

    private JsonApi api() {
        String token = secrets.get(spec.tokenEnv()).orElseThrow(() -> new AdapterException("environment variable "
                + spec.tokenEnv() + " (sync.argocd.tokenEnv of the " + GitRevertAdapter.TYPE + " target) is not set"));
        String url = JsonApi.httpUrl(GitRevertAdapter.TYPE, "sync.argocd.url", spec.url());
        return new JsonApi(http, "Argo CD", url, "the token in " + spec.tokenEnv(), Map.of("Authorization", "Bearer " + token));
    }

    /** One read of the application. */
    record Status(String application, ArgoApplication app) implements SyncStatus {

        @Override
        public String summary() {
            return gitRevisions().stream().findFirst().map(r -> "at " + GitRevertAdapter.shortSha(r) + ": ").orElse("")
                    + app.summary();
        }

        @Override
        public Health judge(LandedRevert revert) {
            String name = "Argo CD application " + application;
            List<String> revisions = gitRevisions();
            if (revisions.isEmpty()) {
                return Health.progressing(name + " reports no git revision yet (" + app.summary() + ")");
            }
            Optional<String> withRevert = revisions.stream().filter(revert::isIn).findFirst();
            if (withRevert.isEmpty()) {
                return Health.progressing(name + " at " + GitRevertAdapter.shortSha(revisions.get(0))
                        + ", not yet at the revert " + revert.shortSha() + " (" + app.summary() + ")");
            }
            String at = name + " at " + GitRevertAdapter.shortSha(withRevert.get());
            if (app.operationFailed() && !app.operationRunning()
                    && app.operationRevision().map(revisions::contains).orElse(false)) {
                return Health.unhealthy(at + " could not sync the revert " + revert.shortSha() + ": " + app.operationMessage());
            }
            if (app.operationRunning()) {
                return Health.progressing(at + " is syncing the revert " + revert.shortSha() + " (" + app.summary() + ")");
            }
            if (!app.syncStatus().equals("Synced")) {
                return Health.progressing(at + " has the revert " + revert.shortSha() + " but is " + app.syncStatus()
                        + (app.automatedSync() ? ", waiting for automated sync"
                        : "; automated sync is off: sync it in Argo CD (argocd app sync " + application + ")"));
            }
            return switch (app.health()) {
                case "Healthy" -> Health.healthy(at + ", which contains the revert " + revert.shortSha() + ": "
                        + app.summary());
                case "Degraded", "Missing" -> Health.unhealthy(at + " (with the revert " + revert.shortSha() + ") is "
                        + app.health() + app.healthMessage().map(m -> ": " + m).orElse(""));
                default -> Health.progressing(at + " (with the revert " + revert.shortSha() + "): " + app.summary());
            };
        }

        /** The revisions that are commits; a Helm chart source's revision is a chart version, not ours to compare. */
        private List<String> gitRevisions() {
            return app.syncRevisions().stream().filter(r -> r.matches("[0-9a-f]{7,64}")).toList();
        }
    }
}
