package dev.rewind.adapter.argo;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.kubernetes.GitOps;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import dev.rewind.adapter.kubernetes.PodTemplates;
import dev.rewind.adapter.kubernetes.RolloutStatus;
import dev.rewind.adapter.kubernetes.RolloutWatch;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code argo-rollout}: rolls back an Argo Rollout without the Argo client library, doing what the
 * {@code kubectl argo rollouts} plugin does. While an update is in flight (the template being rolled
 * out is not the stable ReplicaSet's), going back to the stable revision is an <em>abort</em>: a merge
 * patch {@code {"status":{"abort":true}}} on the status subresource, after which the controller
 * scales the canary down and sends traffic back to stable. Otherwise (and for any other revision) it
 * is an <em>undo</em>: the chosen ReplicaSet's pod template, minus its hash label, is written into
 * {@code spec.template}. Either way it then watches until the stable side is ready.
 *
 * <p>Longer than most classes on purpose: an adapter is one file, and an Argo Rollout has two ways back
 * (abort an update in flight, or undo a completed one to an earlier ReplicaSet), each watched to its end.
 */
public final class ArgoRolloutAdapter implements RollbackAdapter {

    public static final String TYPE = "argo-rollout";
    static final String REVISION = "rollout.argoproj.io/revision";
    static final String HASH_LABEL = "rollouts-pod-template-hash";
    static final ResourceDefinitionContext ROLLOUTS = new ResourceDefinitionContext.Builder()
            .withGroup("argoproj.io").withVersion("v1alpha1").withKind("Rollout").withPlural("rollouts")
            .withNamespaced(true).build();
    private static final String ABORT = "{\"status\":{\"abort\":true}}";

    private final KubernetesClient client;

    public ArgoRolloutAdapter(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The {@code target:} block: {@code {type: argo-rollout, namespace: shop, rollout: search}};
     * {@code undoAfterAbort: true} also restores the stable template after an abort (default: abort only).
     */
    public record Spec(@Required String namespace, @Required String rollout, Boolean undoAfterAbort) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public TargetState describe(Target target) {
        RolloutView rollout = rollout(target);
        List<ReplicaSet> history = history(target, rollout);
        Optional<ReplicaSet> current = current(rollout, history);
        Optional<ReplicaSet> stable = byHash(history, rollout.stableHash());
        Revision live = current.map(ArgoRolloutAdapter::revision).orElseGet(() -> new Revision("?", "live",
                PodTemplates.images(template(rollout.template())), Optional.empty(), Optional.empty(),
                PodTemplates.attributes(template(rollout.template()))));
        List<Revision> candidates = new ArrayList<>();
        stable.filter(s -> current.map(c -> !sameName(c, s)).orElse(true)).map(ArgoRolloutAdapter::revision)
                .ifPresent(candidates::add);
        history.stream()
                .filter(rs -> current.map(c -> !sameName(c, rs)).orElse(true))
                .filter(rs -> stable.map(s -> !sameName(s, rs)).orElse(true))
                .filter(rs -> !revisionOf(rs).isEmpty())
                .map(ArgoRolloutAdapter::revision)
                .forEach(candidates::add);

        List<TargetState.Fact> facts = new ArrayList<>();
        facts.add(new TargetState.Fact("Phase", rollout.phase() + rollout.message().map(m -> ": " + m).orElse("")));
        facts.add(new TargetState.Fact("Strategy", strategyText(rollout)));
        stable.ifPresent(s -> facts.add(new TargetState.Fact("Stable", replicaSetText(s))));
        if (rollout.updating()) {
            current.ifPresent(c -> facts.add(new TargetState.Fact(rollout.aborted() ? "Aborted update" : "Updating to",
                    replicaSetText(c))));
        }
        return new TargetState(name(target), live, candidates, facts, warnings(rollout, current, stable));
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        RolloutView rollout = rollout(target);
        List<ReplicaSet> history = history(target, rollout);
        String revisionId = change.revisionId();
        ReplicaSet wanted = history.stream().filter(rs -> rs.getMetadata().getName().equals(revisionId)
                        || revisionOf(rs).equals(revisionId) || ("r" + revisionOf(rs)).equals(revisionId)).findFirst()
                .orElseThrow(() -> new AdapterException("revision " + revisionId + " is not in the history of Rollout "
                        + name(target) + " (available: " + history.stream().map(rs -> "r" + revisionOf(rs))
                        .collect(Collectors.joining(", ")) + ")"));
        if (rollout.specPaused()) {
            throw new AdapterException("Rollout " + name(target) + " is paused (spec.paused); resume it (kubectl argo "
                    + "rollouts resume " + spec(target).rollout() + " -n " + spec(target).namespace()
                    + ") before rolling back");
        }
        if (rollout.updating() && rollout.currentPodHash().get().equals(hashOf(wanted))) {
            throw new AdapterException("r" + revisionOf(wanted) + " is the revision Rollout " + name(target)
                    + " is updating to, not one to go back to; choose the stable revision "
                    + byHash(history, rollout.stableHash()).map(rs -> "r" + revisionOf(rs)).orElse("") + " to abort");
        }
        Optional<String> stableHash = rollout.stableHash();
        boolean toStable = stableHash.isPresent() && stableHash.get().equals(hashOf(wanted));
        if (rollout.updating() && toStable) {
            return abort(target, rollout, history, wanted, progress, timeout);
        }
        return undo(target, rollout, history, wanted, progress, timeout);
    }

    /** Reads, watches, undoes and aborts the Rollout; its history is in ReplicaSets; pods say why a rollout is stuck. */
    @Override
    public List<ApiPermission> permissions(Target target) {
        String namespace = target.as(Spec.class).namespace();
        return List.of(new ApiPermission("get", "argoproj.io", "rollouts", namespace),
                new ApiPermission("watch", "argoproj.io", "rollouts", namespace),
                new ApiPermission("patch", "argoproj.io", "rollouts", namespace),
                new ApiPermission("patch", "argoproj.io", "rollouts/status", namespace),
                ApiPermission.apps("list", "replicasets", namespace), ApiPermission.core("list", "pods", namespace));
    }

    @Override
    public Health verify(Target target) {
        RolloutView rollout = rollout(target);
        List<ReplicaSet> history = history(target, rollout);
        RolloutStatus status = stableReady(rollout, history, rollout.stableHash().orElse(""));
        if (status.state() == RolloutStatus.State.COMPLETE) {
            if (rollout.aborted()) {
                return Health.healthy("Rollout " + name(target) + " aborted its update; " + status.detail()
                        + " (the Rollout reports Degraded until its spec is undone or fixed)");
            }
            if (!rollout.updating()) {
                return Health.healthy("Rollout " + name(target) + " " + rollout.phase() + ": " + status.detail());
            }
        }
        String detail = "Rollout " + name(target) + " " + rollout.phase() + rollout.message().map(m -> " (" + m + ")")
                .orElse("") + ": " + status.detail();
        return "Degraded".equals(rollout.phase()) && !rollout.aborted() || status.state() == RolloutStatus.State.FAILED
                ? Health.unhealthy(detail) : Health.progressing(detail);
    }

    private Outcome abort(Target target, RolloutView rollout, List<ReplicaSet> history, ReplicaSet stable,
                          Progress progress, Duration timeout) {
        Optional<ReplicaSet> canary = byHash(history, rollout.currentPodHash());
        String canaryLabel = canary.map(rs -> "r" + revisionOf(rs)).orElse("the new revision");
        String stableLabel = "r" + revisionOf(stable);
        if (rollout.aborted()) {
            progress.step("Rollout " + name(target) + ": the update to " + canaryLabel
                    + " is already aborted; waiting for stable " + stableLabel);
        } else {
            patchAbort(target);
            progress.step("Rollout " + name(target) + ": update to " + canaryLabel + " aborted; traffic returns to "
                    + "stable " + stableLabel + " (" + String.join(", ", PodTemplates.images(stable.getSpec().getTemplate()))
                    + ")");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        RolloutStatus done = watch(target, rollout, r -> r.abortSeen() || !r.updating()
                ? stableReady(r, history(target, r), hashOf(stable))
                : new RolloutStatus(RolloutStatus.State.PROGRESSING, "waiting for the Argo controller to act on the abort ("
                        + r.phase() + ")"), progress).awaitComplete(timeout);
        if (undoAfterAbort(target)) {
            progress.step("Rollout " + name(target) + ": undoing spec.template to stable " + stableLabel
                    + " so a retry does not deploy " + canaryLabel + " again (undoAfterAbort)");
            RolloutView aborted = rollout(target);
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            Outcome undone = undo(target, aborted, history(target, aborted), stable, progress, left);
            return new Outcome("Rollout " + name(target) + ": update to " + canaryLabel + " aborted and spec.template "
                    + "undone to stable " + stableLabel + " (" + undone.summary() + ")",
                    Map.of("action", "abort+undo", "abortedReplicaSet", canary.map(rs -> rs.getMetadata().getName())
                            .orElse(""), "stableReplicaSet", stable.getMetadata().getName()));
        }
        return new Outcome("Rollout " + name(target) + ": update to " + canaryLabel + " aborted, stable " + stableLabel
                + " serves (" + done.detail() + "). The Rollout stays Degraded and spec.template still names "
                + canaryLabel + ": undo it (kubectl argo rollouts undo, or undoAfterAbort: true on this target) or "
                + "fix the spec, else a retry deploys " + canaryLabel + " again",
                Map.of("action", "abort", "abortedReplicaSet", canary.map(rs -> rs.getMetadata().getName()).orElse(""),
                        "stableReplicaSet", stable.getMetadata().getName()));
    }

    private Outcome undo(Target target, RolloutView rollout, List<ReplicaSet> history, ReplicaSet wanted,
                         Progress progress, Duration timeout) {
        String label = "r" + revisionOf(wanted);
        String from = current(rollout, history).map(rs -> "r" + revisionOf(rs)).orElse("the live revision");
        PodTemplateSpec template = PodTemplates.withoutLabel(wanted.getSpec().getTemplate(), HASH_LABEL);
        String images = String.join(", ", PodTemplates.images(template));
        if (TemplateMatch.matches(rollout.template(), asMap(wanted.getSpec().getTemplate()), HASH_LABEL)) {
            progress.step("Rollout " + name(target) + " already has the pod template of " + label + "; waiting for it "
                    + "to be stable");
        } else {
            try {
                resource(target).patch(PatchContext.of(PatchType.JSON), Serialization.asJson(List.of(
                        Map.of("op", "replace", "path", "/spec/template", "value", template))));
            } catch (KubernetesClientException e) {
                throw new AdapterException("Kubernetes refused the rollback of Rollout " + name(target) + ": "
                        + KubernetesErrors.describe(e), e);
            }
            progress.step("Rollout " + name(target) + ": pod template of " + label + " restored (" + images + ")");
        }
        String wantedHash = hashOf(wanted);
        // Done when the controller rolls out the restored template and calls it stable (it clears an abort then, too).
        RolloutStatus done = watch(target, rollout, r -> r.stableHash().filter(wantedHash::equals).isPresent()
                && r.currentPodHash().filter(wantedHash::equals).isPresent() && !r.aborted()
                ? stableReady(r, history(target, r), wantedHash)
                : new RolloutStatus(RolloutStatus.State.PROGRESSING, r.phase() + r.message().map(m -> " (" + m + ")")
                        .orElse("") + "; " + label + " is not stable yet"), progress).awaitComplete(timeout);
        return new Outcome("Rollout " + name(target) + " rolled back from " + from + " to " + label + " (" + images
                + "): " + done.detail(), Map.of("action", "undo", "fromRevision", from,
                "toReplicaSet", wanted.getMetadata().getName()));
    }

    /** {@code undoAfterAbort: true} also restores the stable template after an abort (default false: abort only). */
    static boolean undoAfterAbort(Target target) {
        return Boolean.TRUE.equals(target.as(Spec.class).undoAfterAbort());
    }

    private void patchAbort(Target target) {
        try {
            resource(target).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), ABORT);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw new AdapterException("Kubernetes refused to abort Rollout " + name(target) + ": "
                        + KubernetesErrors.describe(e), e);
            }
            // Like the plugin: a Rollout CRD without the status subresource takes the patch on the object itself.
            try {
                resource(target).patch(PatchContext.of(PatchType.JSON_MERGE), ABORT);
            } catch (KubernetesClientException retry) {
                throw new AdapterException("Kubernetes refused to abort Rollout " + name(target) + ": "
                        + KubernetesErrors.describe(retry), retry);
            }
        }
    }

    private RolloutWatch<GenericKubernetesResource> watch(Target target, RolloutView rollout,
                                                          Function<RolloutView, RolloutStatus> judge,
                                                          Progress progress) {
        return new RolloutWatch<>(client, resource(target), "Rollout " + name(target),
                resource -> judge.apply(new RolloutView(resource)), resource -> new RolloutView(resource).selector(),
                progress);
    }

    /** COMPLETE when the ReplicaSet with {@code hash} has as many ready replicas as the Rollout wants. */
    private static RolloutStatus stableReady(RolloutView rollout, List<ReplicaSet> history, String hash) {
        Optional<ReplicaSet> stable = byHash(history, Optional.of(hash));
        if (stable.isEmpty()) {
            return new RolloutStatus(RolloutStatus.State.FAILED, "no stable ReplicaSet"
                    + (hash.isEmpty() ? "" : " with hash " + hash));
        }
        int ready = stable.get().getStatus() == null || stable.get().getStatus().getReadyReplicas() == null ? 0
                : stable.get().getStatus().getReadyReplicas();
        String detail = "stable " + stable.get().getMetadata().getName() + " (r" + revisionOf(stable.get()) + ") "
                + ready + "/" + rollout.replicas() + " ready";
        return new RolloutStatus(ready >= rollout.replicas() ? RolloutStatus.State.COMPLETE
                : RolloutStatus.State.PROGRESSING, detail);
    }

    private List<String> warnings(RolloutView rollout, Optional<ReplicaSet> current, Optional<ReplicaSet> stable) {
        List<String> warnings = new ArrayList<>();
        String currentLabel = current.map(rs -> "r" + revisionOf(rs)).orElse("the new revision");
        String stableLabel = stable.map(rs -> "r" + revisionOf(rs)).orElse("the stable revision");
        if (rollout.updating() && rollout.aborted()) {
            warnings.add("The update to " + currentLabel + " was aborted: traffic is on stable " + stableLabel
                    + ", the Rollout is Degraded and spec.template still names " + currentLabel
                    + "; a retry deploys it again until the spec is undone or fixed");
        } else if (rollout.updating()) {
            warnings.add("An update to " + currentLabel + " is in progress (" + rollout.phase() + "): rolling back to "
                    + stableLabel + " aborts it, which scales the canary down and returns traffic to stable");
        }
        if (rollout.specPaused()) {
            warnings.add("The Rollout is paused (spec.paused): resume it before rolling back");
        }
        if (stable.isEmpty() && rollout.stableHash().isPresent()) {
            warnings.add("The stable ReplicaSet (hash " + rollout.stableHash().get() + ") was not found");
        }
        GitOps.managedBy(rollout.resource()).ifPresent(tool -> warnings.add("Managed by " + tool
                + ": an undo here will be reverted by its sync loop unless automated sync is paused; "
                + "consider rolling back in " + tool + " or reverting the commit"));
        return warnings;
    }

    private static String strategyText(RolloutView rollout) {
        String text = rollout.strategy();
        if (rollout.canarySteps() > 0 && rollout.updating()) {
            text += ", step " + rollout.currentStepIndex().map(String::valueOf).orElse("?") + " of "
                    + rollout.canarySteps();
        }
        return text;
    }

    private static String replicaSetText(ReplicaSet rs) {
        int replicas = rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
        int ready = rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0 : rs.getStatus().getReadyReplicas();
        return "r" + revisionOf(rs) + " " + rs.getMetadata().getName() + " ("
                + String.join(", ", PodTemplates.images(rs.getSpec().getTemplate())) + "): " + ready + "/" + replicas + " ready";
    }

    private Optional<ReplicaSet> current(RolloutView rollout, List<ReplicaSet> history) {
        return byHash(history, rollout.currentPodHash())
                .or(() -> history.stream().filter(rs -> TemplateMatch.matches(rollout.template(),
                        asMap(rs.getSpec().getTemplate()), HASH_LABEL)).findFirst());
    }

    private RolloutView rollout(Target target) {
        GenericKubernetesResource rollout;
        try {
            rollout = resource(target).get();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read Rollout " + name(target) + ": " + KubernetesErrors.describe(e), e);
        }
        if (rollout == null) {
            throw new AdapterException("Rollout " + name(target) + " not found");
        }
        return new RolloutView(rollout);
    }

    /** The Rollout's ReplicaSets (selected by its selector, controlled by it), newest revision first. */
    private List<ReplicaSet> history(Target target, RolloutView rollout) {
        List<ReplicaSet> sets;
        try {
            sets = client.apps().replicaSets().inNamespace(spec(target).namespace()).withLabels(rollout.selector())
                    .list().getItems();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot list ReplicaSets of Rollout " + name(target) + ": "
                    + KubernetesErrors.describe(e), e);
        }
        return sets.stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences()
                        .stream().anyMatch(o -> rollout.uid().equals(o.getUid())))
                .sorted(Comparator.comparingLong(ArgoRolloutAdapter::revisionNumber).reversed())
                .toList();
    }

    private Resource<GenericKubernetesResource> resource(Target target) {
        Spec spec = spec(target);
        return client.genericKubernetesResources(ROLLOUTS).inNamespace(spec.namespace()).withName(spec.rollout());
    }

    private static Optional<ReplicaSet> byHash(List<ReplicaSet> history, Optional<String> hash) {
        return hash.flatMap(h -> history.stream().filter(rs -> h.equals(hashOf(rs))).findFirst());
    }

    private static String hashOf(ReplicaSet rs) {
        Map<String, String> labels = rs.getMetadata().getLabels();
        return labels == null ? "" : labels.getOrDefault(HASH_LABEL, "");
    }

    private static boolean sameName(ReplicaSet a, ReplicaSet b) {
        return a.getMetadata().getName().equals(b.getMetadata().getName());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(PodTemplateSpec template) {
        return Serialization.jsonMapper().convertValue(template, Map.class);
    }

    private static PodTemplateSpec template(Object template) {
        return template == null ? new PodTemplateSpec()
                : Serialization.jsonMapper().convertValue(template, PodTemplateSpec.class);
    }

    private static Revision revision(ReplicaSet rs) {
        PodTemplateSpec template = rs.getSpec().getTemplate();
        return new Revision(rs.getMetadata().getName(), "r" + revisionOf(rs), PodTemplates.images(template),
                createdAt(rs), Optional.empty(), PodTemplates.attributes(template));
    }

    private static Optional<Instant> createdAt(ReplicaSet rs) {
        try {
            return Optional.ofNullable(rs.getMetadata().getCreationTimestamp()).map(Instant::parse);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static String revisionOf(ReplicaSet rs) {
        Map<String, String> annotations = rs.getMetadata().getAnnotations();
        return annotations == null ? "" : annotations.getOrDefault(REVISION, "");
    }

    private static long revisionNumber(ReplicaSet rs) {
        try {
            return Long.parseLong(revisionOf(rs));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Spec spec(Target target) {
        return target.as(Spec.class);
    }

    private static String name(Target target) {
        Spec spec = spec(target);
        return spec.namespace() + "/" + spec.rollout();
    }
}
