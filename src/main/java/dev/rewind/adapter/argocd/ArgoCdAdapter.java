package dev.rewind.adapter.argocd;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.FollowUp;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.http.ApiResponse;
import dev.rewind.adapter.http.JsonApi;
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code argocd}: rolls an Argo CD application back to an entry of its deployment history. Automated
 * sync is turned off first (Argo CD refuses a rollback while it is on, and its sync loop would undo
 * one); if that is refused, so is the rollback. Then {@code POST …/rollback} and a watch until the
 * chosen revision is live and Healthy. The previous sync policy is recorded with the run.
 */
public final class ArgoCdAdapter implements RollbackAdapter {

    public static final String TYPE = "argocd";
    /**
     * Kept on the Application itself when Rewind turns automated sync off: a re-execution after a crash
     * finds sync already off and must still know what to restore.
     */
    static final String SYNC_BEFORE_ANNOTATION = "rewind.dev/automated-sync-before";
    static final String AUTOMATED_BEFORE = "automatedBefore";
    static final String ROLLED_BACK_FROM = "rolledBackFrom";
    static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

    private final Secrets secrets;
    private final RetryingHttp http;
    private final Duration poll;

    public ArgoCdAdapter(Secrets secrets, RetryingHttp http) {
        this(secrets, http, DEFAULT_POLL);
    }

    /** @param poll how often the application is read while a rollback is watched */
    public ArgoCdAdapter(Secrets secrets, RetryingHttp http, Duration poll) {
        this.secrets = secrets;
        this.http = http;
        this.poll = poll;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: argocd, url: URL, application: shop, tokenEnv: ARGOCD_TOKEN}};
     * {@code restoreAutoSync: true} turns automated sync back on after the rollback (default: it stays off).
     */
    public record Spec(@Required String url, @Required String application, @Required String tokenEnv,
                       Boolean restoreAutoSync) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public void validate(Target target) {
        JsonApi.httpUrl(TYPE, "url", target.as(Spec.class).url());
    }

    @Override
    public TargetState describe(Target target) {
        ArgoApplication app = read(api(target), target);
        String name = target.as(Spec.class).application();
        List<ArgoApplication.Deployment> history = app.history();
        Optional<ArgoApplication.Deployment> live = app.live();
        Revision current = live.map(ArgoCdAdapter::revision).orElseGet(() -> new Revision("live", "live", List.of(),
                Optional.empty(), Optional.empty(), Map.of()));
        List<Revision> candidates = history.stream()
                .filter(d -> live.map(l -> !l.revision().equals(d.revision())).orElse(true))
                .map(ArgoCdAdapter::revision)
                .toList();
        List<TargetState.Fact> facts = List.of(
                new TargetState.Fact("Sync", app.syncStatus()),
                new TargetState.Fact("Health", app.health() + app.healthMessage().map(m -> ": " + m).orElse("")),
                new TargetState.Fact("Automated sync", app.automatedSync() ? "on" + (app.prune() ? " (prune)" : "") : "off"),
                new TargetState.Fact("Self-heal", app.selfHeal() ? "on" : "off"));
        List<String> warnings = new ArrayList<>();
        if (app.automatedSync()) {
            warnings.add("Automated sync is on: Rewind turns it off before rolling back (Argo CD refuses a rollback "
                    + "otherwise) and leaves it off" + (restoreAutoSync(target) ? " until it is restored after the incident" : ""));
        }
        if (app.operationRunning()) {
            warnings.add("An Argo CD operation is running on " + name + " right now (" + app.summary() + ")");
        }
        if (history.isEmpty()) {
            warnings.add("Argo CD application " + name + " has no deployment history to roll back to");
        }
        return new TargetState("Argo CD application " + name, current, candidates, facts, warnings);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        JsonApi api = api(target);
        String name = target.as(Spec.class).application();
        ArgoApplication app = read(api, target);
        ArgoApplication.Deployment wanted = app.history().stream()
                .filter(d -> String.valueOf(d.id()).equals(change.revisionId()) || d.label().equals(change.revisionId()))
                .findFirst()
                .orElseThrow(() -> new AdapterException("revision " + change.revisionId()
                        + " is not in the deployment history of Argo CD application " + name + " (available: "
                        + app.history().stream().map(ArgoApplication.Deployment::label).collect(Collectors.joining(", ")) + ")"));
        String from = app.live().map(ArgoApplication.Deployment::label).orElse("the live revision");
        Map<String, String> recorded = new LinkedHashMap<>();
        recorded.put("application", name);
        recorded.put("historyId", String.valueOf(wanted.id()));
        recorded.put("revision", wanted.revision());
        recorded.put("restoreAutoSync", String.valueOf(restoreAutoSync(target)));
        change.from().map(r -> r.attributes().get("git revision"))
                .or(() -> app.live().map(ArgoApplication.Deployment::revision))
                .filter(r -> !r.equals(wanted.revision()))
                .ifPresent(r -> recorded.put(ROLLED_BACK_FROM, r));

        boolean alreadyThere = app.live().map(d -> d.revision().equals(wanted.revision())).orElse(false);
        if (app.operationRunning() && !app.operationRevision().map(wanted.revision()::equals).orElse(false)) {
            throw new AdapterException("Argo CD is running another operation on " + name + " (" + app.summary()
                    + app.operationRevision().map(r -> ", to " + r).orElse("") + "); wait for it or terminate it, then retry");
        }
        if (app.automatedSync()) {
            String automated = JsonApi.JSON.writeValueAsString(app.syncPolicy().path("automated"));
            recorded.put(AUTOMATED_BEFORE, automated);
            disableAutomatedSync(api, name, automated);
            progress.step("Argo CD application " + name + ": automated sync disabled (was on"
                    + (app.selfHeal() ? ", self-heal" : "") + (app.prune() ? ", prune" : "") + ")");
        } else {
            app.annotation(SYNC_BEFORE_ANNOTATION).ifPresent(before -> recorded.put(AUTOMATED_BEFORE, before));
        }
        if (alreadyThere || app.operationRunning()) {
            progress.step("Argo CD application " + name + " is already " + (alreadyThere ? "at " : "rolling back to ")
                    + wanted.label() + "; not asking for another rollback");
        } else {
            ApiResponse response = api.call("POST", path(name) + "/rollback", Map.of("id", wanted.id(), "prune", false), null);
            if (!response.ok()) {
                throw new AdapterException("Argo CD refused to roll " + name + " back to " + wanted.label() + ": "
                        + response.remoteMessage() + " (HTTP " + response.status() + ")");
            }
            progress.step("Argo CD application " + name + ": rollback from " + from + " to " + wanted.label() + " started");
        }
        ArgoApplication done = new RollbackWatch(() -> read(api, target), name, poll, progress)
                .awaitHealthyAt(wanted, timeout);
        return new Outcome("Argo CD application " + name + " rolled back from " + from + " to " + wanted.label()
                + " (" + wanted.revision() + "): " + done.summary() + ". " + autoSyncNote(target), recorded);
    }

    @Override
    public Health verify(Target target) {
        ArgoApplication app = read(api(target), target);
        String name = target.as(Spec.class).application();
        String at = app.live().map(d -> " at " + d.label()).orElse("");
        if (app.operationRunning() || app.health().equals("Progressing")) {
            return Health.progressing("Argo CD application " + name + at + ": " + app.summary());
        }
        if (app.health().equals("Healthy")) {
            return Health.healthy("Argo CD application " + name + at + ": " + app.summary()
                    + (app.syncStatus().equals("OutOfSync") && !app.automatedSync()
                    ? " (OutOfSync is expected after a rollback: git still points at the newer revision)" : ""));
        }
        return Health.unhealthy("Argo CD application " + name + at + ": " + app.summary());
    }

    private void disableAutomatedSync(JsonApi api, String name, String automatedBefore) {
        Map<String, Object> mergePatch = Map.of(
                "metadata", Map.of("annotations", Map.of(SYNC_BEFORE_ANNOTATION, automatedBefore)),
                "spec", Map.of("syncPolicy", nullValued("automated")));
        ApiResponse response = api.call("PATCH", path(name), patchRequest(name, mergePatch), null);
        if (!response.ok()) {
            throw new AdapterException("Refusing to roll back Argo CD application " + name
                    + ": its automated sync could not be disabled (" + response.remoteMessage() + ", HTTP "
                    + response.status() + "), and its sync loop would undo the rollback. Disable automated sync"
                    + " (argocd app set " + name + " --sync-policy none) or grant Rewind's account applications/update");
        }
        if (new ArgoApplication(response.json()).automatedSync()) {
            throw new AdapterException("Refusing to roll back Argo CD application " + name
                    + ": Argo CD accepted turning automated sync off but still reports it on"
                    + " (is the Application managed by an ApplicationSet or another app that re-applies it?)");
        }
    }

    @Override
    public Optional<FollowUp> followUp(Target target, Map<String, String> recorded) {
        if (!restoreAutoSync(target) || !recorded.containsKey(AUTOMATED_BEFORE)) {
            return Optional.empty();
        }
        return Optional.of(new FollowUp("Restore automated sync", "Argo CD application " + recorded.get("application")
                + ": automated sync is off (was on" + policyWords(recorded.get(AUTOMATED_BEFORE)) + "). Turn it back on once "
                + "git no longer points at the revision that was rolled back, or Argo CD redeploys it."));
    }

    /**
     * Turns automated sync back on as it was, only when the application is Synced: git then renders
     * exactly what runs now (the rolled-back state), so the sync loop changes nothing. While it is
     * OutOfSync, git may still hold the bad change (also after unrelated commits moved the branch), and
     * the sync loop would deploy it at once, undoing the rollback.
     */
    @Override
    public String completeFollowUp(Target target, Map<String, String> recorded) {
        JsonApi api = api(target);
        String name = target.as(Spec.class).application();
        ArgoApplication app = ArgoApplication.readRefreshed(api, name);
        if (app.automatedSync()) {
            return "Automated sync of Argo CD application " + name + " is already on; nothing changed";
        }
        Optional<String> head = app.targetRevision();
        Optional<String> bad = Optional.ofNullable(recorded.get(ROLLED_BACK_FROM));
        if (!app.syncStatus().equals("Synced")) {
            boolean stillBad = head.isPresent() && bad.isPresent() && head.get().equals(bad.get());
            throw new AdapterException("Not restoring automated sync of Argo CD application " + name + ": it is "
                    + app.syncStatus() + (stillBad ? ", and git still points at " + shortSha(bad.get())
                    + ", the revision this rollback undid" : ": git" + head.map(h -> " at " + shortSha(h)).orElse("")
                    + " differs from what runs now and may still hold the bad change")
                    + ". Argo CD would deploy git as it is at once and undo the rollback. Revert or fix it in git until "
                    + "the application is Synced (sync a fix once by hand: argocd app sync " + name + "), then restore.");
        }
        String automated = Optional.ofNullable(recorded.get(AUTOMATED_BEFORE)).or(() -> app.annotation(SYNC_BEFORE_ANNOTATION))
                .orElse("{}");
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put(SYNC_BEFORE_ANNOTATION, null);
        Map<String, Object> mergePatch = Map.of("metadata", Map.of("annotations", annotations),
                "spec", Map.of("syncPolicy", Map.of("automated", JsonApi.JSON.readTree(automated))));
        ApiResponse response = api.call("PATCH", path(name), patchRequest(name, mergePatch), null);
        if (!response.ok()) {
            throw new AdapterException("Argo CD refused to turn automated sync of " + name + " back on: "
                    + response.remoteMessage() + " (HTTP " + response.status() + ")");
        }
        return "Automated sync of Argo CD application " + name + " is on again" + policyWords(automated)
                .replaceFirst("^, ", " (") + (policyWords(automated).isEmpty() ? "" : ")") + "; Argo CD now syncs to "
                + head.map(ArgoCdAdapter::shortSha).orElse("the head of its branch");
    }

    private static String policyWords(String automatedJson) {
        var automated = JsonApi.JSON.readTree(automatedJson);
        return (automated.path("selfHeal").asBoolean(false) ? ", self-heal" : "")
                + (automated.path("prune").asBoolean(false) ? ", prune" : "");
    }

    private static Map<String, Object> patchRequest(String name, Map<String, Object> mergePatch) {
        return Map.of("name", name, "patchType", "merge", "patch", JsonApi.JSON.writeValueAsString(mergePatch));
    }

    private static Map<String, Object> nullValued(String key) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, null);
        return map;
    }

    private static String shortSha(String sha) {
        return sha.length() > 7 ? sha.substring(0, 7) : sha;
    }

    private static String autoSyncNote(Target target) {
        return restoreAutoSync(target)
                ? "Automated sync is off until it is restored from the card after the incident."
                : "Automated sync stays off: fix or revert git before turning it on, or it redeploys the bad revision.";
    }

    private static ArgoApplication read(JsonApi api, Target target) {
        return ArgoApplication.read(api, target.as(Spec.class).application());
    }

    private JsonApi api(Target target) {
        Spec spec = target.as(Spec.class);
        String token = JsonApi.secret(secrets, TYPE, "tokenEnv", spec.tokenEnv());
        return new JsonApi(http, "Argo CD", JsonApi.httpUrl(TYPE, "url", spec.url()), "the token in " + spec.tokenEnv(),
                Map.of("Authorization", "Bearer " + token));
    }

    private static String path(String application) {
        return ArgoApplication.path(application);
    }

    private static boolean restoreAutoSync(Target target) {
        return Boolean.TRUE.equals(target.as(Spec.class).restoreAutoSync());
    }

    private static Revision revision(ArgoApplication.Deployment deployment) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("git revision", deployment.revision());
        if (!deployment.source().isBlank()) {
            attributes.put("source", deployment.source());
        }
        return new Revision(String.valueOf(deployment.id()), deployment.label(), List.of(), deployment.deployedAt(),
                Optional.of("Argo CD deployment " + deployment.label()), attributes);
    }
}
