package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.ReadinessFinding;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code kubernetes-deployment}: rolls a Deployment back to an earlier revision the way
 * {@code kubectl rollout undo --to-revision} does (the ReplicaSet's pod template restored on the
 * Deployment), then watches the rollout until it completes or fails.
 */
public final class KubernetesDeploymentAdapter implements RollbackAdapter {

    public static final String TYPE = "kubernetes-deployment";
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    /** Warn when a candidate is older than this many deploys: it may carry stale config or schema. */
    static final int OLD_REVISION_WARNING = 3;

    private final KubernetesClient client;

    public KubernetesDeploymentAdapter(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The {@code target:} block: {@code {type: kubernetes-deployment, namespace: shop, deployment: checkout}}. */
    public record Spec(@Required String namespace, @Required String deployment) {
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
    }

    @Override
    public TargetState describe(Target target) {
        Deployment deployment = deployment(target);
        List<ReplicaSet> history = history(deployment);
        String currentId = annotation(deployment, REVISION).orElse("");
        Optional<ReplicaSet> currentSet = history.stream().filter(rs -> revisionOf(rs).equals(currentId)).findFirst()
                .or(() -> history.stream().filter(rs -> PodTemplates.sameTemplate(rs.getSpec().getTemplate(),
                        deployment.getSpec().getTemplate())).findFirst());
        Revision current = currentSet.map(KubernetesDeploymentAdapter::revision)
                .orElseGet(() -> new Revision(currentId.isEmpty() ? "?" : currentId,
                        currentId.isEmpty() ? "live" : "r" + currentId, PodTemplates.images(deployment.getSpec().getTemplate()),
                        Optional.empty(), annotation(deployment, CHANGE_CAUSE),
                        PodTemplates.attributes(deployment.getSpec().getTemplate())));
        List<Revision> candidates = history.stream()
                .filter(rs -> currentSet.map(c -> !c.getMetadata().getName().equals(rs.getMetadata().getName())).orElse(true))
                .filter(rs -> !revisionOf(rs).isEmpty())
                .map(KubernetesDeploymentAdapter::revision)
                .toList();
        RolloutStatus rollout = RolloutStatus.of(deployment);
        List<TargetState.Fact> facts = List.of(
                new TargetState.Fact("Replicas", rollout.detail()),
                new TargetState.Fact("Rollout", rollout.state().name().toLowerCase()));
        return new TargetState(name(target), current, candidates, facts,
                warnings(deployment, history, currentSet, rollout));
    }

    /** Read the Deployment and its ReplicaSets, patch its template, watch it and its pods roll out. */
    @Override
    public List<ApiPermission> permissions(Target target) {
        String namespace = target.as(Spec.class).namespace();
        return List.of(ApiPermission.apps("get", "deployments", namespace), ApiPermission.apps("patch", "deployments", namespace),
                ApiPermission.apps("watch", "deployments", namespace), ApiPermission.apps("list", "replicasets", namespace),
                ApiPermission.core("list", "pods", namespace));
    }

    @Override
    public List<ReadinessFinding> readiness(Target target) {
        Deployment deployment = deployment(target);
        String name = name(target);
        List<ReadinessFinding> findings = new ArrayList<>();
        Integer limit = deployment.getSpec().getRevisionHistoryLimit();
        if (limit != null && limit == 0) {
            findings.add(ReadinessFinding.blocking("Revision history", "Deployment " + name + " has revisionHistoryLimit: 0: "
                    + "no previous revision will exist after the next deploy", "set revisionHistoryLimit to 10"));
        } else if (history(deployment).size() > (limit == null ? 10 : limit)) {
            findings.add(ReadinessFinding.warning("Revision history", "Deployment " + name + " is at its revisionHistoryLimit ("
                    + (limit == null ? 10 : limit) + "): the oldest revisions are being dropped",
                    "raise revisionHistoryLimit to keep more revisions to go back to"));
        }
        if (Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
            Spec spec = target.as(Spec.class);
            findings.add(ReadinessFinding.blocking("Paused", "Deployment " + name + " is paused: a rollback would not roll out",
                    "kubectl rollout resume deployment/" + spec.deployment() + " -n " + spec.namespace()));
        }
        GitOps.managedBy(deployment).ifPresent(tool -> findings.add(ReadinessFinding.warning("GitOps", "Deployment " + name
                + " is managed by " + tool + ": its sync loop reverts a rollback made here",
                "pause automated sync during incidents, or roll back in " + tool + " (git-revert target)")));
        return findings;
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        String revisionId = change.revisionId();
        RollableScalableResource<Deployment> resource = resource(target);
        Deployment deployment = deployment(target);
        if (Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
            Spec spec = target.as(Spec.class);
            throw new AdapterException("Deployment " + name(target) + " is paused; resume it (kubectl rollout resume "
                    + "deployment/" + spec.deployment() + " -n " + spec.namespace()
                    + ") before rolling back");
        }
        List<ReplicaSet> history = history(deployment);
        ReplicaSet wanted = history.stream().filter(rs -> rs.getMetadata().getName().equals(revisionId)
                        || revisionOf(rs).equals(revisionId)).findFirst()
                .orElseThrow(() -> new AdapterException("revision " + revisionId + " is not in the history of "
                        + name(target) + " (available: " + history.stream().map(rs -> "r" + revisionOf(rs))
                        .collect(Collectors.joining(", ")) + ")"));
        PodTemplateSpec template = PodTemplates.withoutHash(wanted.getSpec().getTemplate());
        String images = String.join(", ", PodTemplates.images(template));
        String label = "r" + revisionOf(wanted);
        String from = annotation(deployment, REVISION).map(r -> "r" + r).orElse("the live revision");
        if (PodTemplates.sameTemplate(deployment.getSpec().getTemplate(), template)) {
            progress.step("Deployment " + name(target) + " already has the pod template of " + label
                    + "; waiting for its rollout");
        } else {
            patchTemplate(resource, template, "rewind: rolled back from " + from + " to " + label
                    + " (run " + change.runId() + ")");
            progress.step("Deployment " + name(target) + ": pod template of " + label + " restored (" + images + ")");
        }
        RolloutStatus done = new RolloutWatch<>(client, resource, "Deployment " + name(target), RolloutStatus::of,
                KubernetesDeploymentAdapter::podSelector, progress).awaitComplete(timeout);
        return new Outcome("Deployment " + name(target) + " rolled back from " + from + " to " + label
                + " (" + images + "): " + done.detail(),
                Map.of("fromRevision", from, "toReplicaSet", wanted.getMetadata().getName()));
    }

    @Override
    public Health verify(Target target) {
        RolloutStatus status = RolloutStatus.of(deployment(target));
        return switch (status.state()) {
            case COMPLETE -> Health.healthy("Deployment " + name(target) + ": " + status.detail());
            case PROGRESSING -> Health.progressing(status.detail());
            case FAILED -> Health.unhealthy(status.detail());
        };
    }

    private void patchTemplate(RollableScalableResource<Deployment> resource, PodTemplateSpec template, String cause) {
        List<Map<String, Object>> patch = new ArrayList<>();
        patch.add(Map.of("op", "replace", "path", "/spec/template", "value", template));
        Deployment current = resource.get();
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        if (annotations == null) {
            patch.add(Map.of("op", "add", "path", "/metadata/annotations", "value", Map.of(CHANGE_CAUSE, cause)));
        } else {
            patch.add(Map.of("op", annotations.containsKey(CHANGE_CAUSE) ? "replace" : "add",
                    "path", "/metadata/annotations/" + CHANGE_CAUSE.replace("~", "~0").replace("/", "~1"), "value", cause));
        }
        try {
            resource.patch(PatchContext.of(PatchType.JSON), Serialization.asJson(patch));
        } catch (KubernetesClientException e) {
            throw new AdapterException("Kubernetes refused the rollback of " + current.getMetadata().getNamespace() + "/"
                    + current.getMetadata().getName() + ": " + KubernetesErrors.describe(e), e);
        }
    }

    private Deployment deployment(Target target) {
        Deployment deployment;
        try {
            deployment = resource(target).get();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read Deployment " + name(target) + ": " + KubernetesErrors.describe(e), e);
        }
        if (deployment == null) {
            throw new AdapterException("Deployment " + name(target) + " not found");
        }
        return deployment;
    }

    private RollableScalableResource<Deployment> resource(Target target) {
        Spec spec = target.as(Spec.class);
        return client.apps().deployments().inNamespace(spec.namespace()).withName(spec.deployment());
    }

    /** The Deployment's ReplicaSets, newest revision first. */
    private List<ReplicaSet> history(Deployment deployment) {
        String uid = deployment.getMetadata().getUid();
        Map<String, String> selector = podSelector(deployment);
        List<ReplicaSet> sets;
        try {
            sets = client.apps().replicaSets().inNamespace(deployment.getMetadata().getNamespace())
                    .withLabels(selector).list().getItems();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot list ReplicaSets of " + deployment.getMetadata().getNamespace() + "/"
                    + deployment.getMetadata().getName() + ": " + KubernetesErrors.describe(e), e);
        }
        return sets.stream()
                .filter(rs -> uid == null || rs.getMetadata().getOwnerReferences() == null
                        || rs.getMetadata().getOwnerReferences().isEmpty()
                        || rs.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
                .sorted(Comparator.comparingLong((ReplicaSet rs) -> revisionNumber(rs)).reversed())
                .toList();
    }

    private List<String> warnings(Deployment deployment, List<ReplicaSet> history, Optional<ReplicaSet> current,
                                  RolloutStatus rollout) {
        List<String> warnings = new ArrayList<>();
        if (rollout.state() == RolloutStatus.State.PROGRESSING) {
            warnings.add("A rollout is in progress right now (" + rollout.detail() + ")");
        }
        if (rollout.state() == RolloutStatus.State.FAILED) {
            warnings.add("The current rollout has failed: " + rollout.detail());
        }
        if (Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
            warnings.add("The Deployment is paused: resume it before rolling back");
        }
        int limit = deployment.getSpec().getRevisionHistoryLimit() == null ? 10 : deployment.getSpec().getRevisionHistoryLimit();
        if (history.size() > limit) {
            warnings.add("revisionHistoryLimit (" + limit + ") reached: the oldest revisions are being dropped");
        }
        if (current.isEmpty()) {
            warnings.add("No ReplicaSet matches the Deployment's current template: its history may be incomplete");
        }
        long active = history.stream().filter(rs -> rs.getStatus() != null && rs.getStatus().getReplicas() != null
                && rs.getStatus().getReplicas() > 0).count();
        if (active > 1 && rollout.state() == RolloutStatus.State.COMPLETE) {
            warnings.add(active + " ReplicaSets still run pods although the rollout is complete");
        }
        GitOps.managedBy(deployment).ifPresent(tool -> warnings.add("Managed by " + tool
                + ": a rollback here will be reverted by its sync loop unless automated sync is paused; "
                + "consider rolling back in " + tool + " or reverting the commit"));
        return warnings;
    }

    /** The labels that select a Deployment's pods. */
    public static Map<String, String> podSelector(Deployment deployment) {
        return deployment.getSpec().getSelector() == null ? Map.of()
                : Optional.ofNullable(deployment.getSpec().getSelector().getMatchLabels()).orElse(Map.of());
    }

    /** A revision's id is its ReplicaSet's name: stable when the controller renumbers it on a rollback. */
    private static Revision revision(ReplicaSet rs) {
        PodTemplateSpec template = rs.getSpec().getTemplate();
        return new Revision(rs.getMetadata().getName(), "r" + revisionOf(rs), PodTemplates.images(template), createdAt(rs),
                annotation(rs, CHANGE_CAUSE), PodTemplates.attributes(template));
    }

    private static Optional<Instant> createdAt(HasMetadata resource) {
        String created = resource.getMetadata().getCreationTimestamp();
        try {
            return created == null ? Optional.empty() : Optional.of(Instant.parse(created));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static String revisionOf(ReplicaSet rs) {
        return annotation(rs, REVISION).orElse("");
    }

    private static long revisionNumber(ReplicaSet rs) {
        try {
            return Long.parseLong(revisionOf(rs));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<String> annotation(HasMetadata resource, String key) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(key));
    }

    private static String name(Target target) {
        Spec spec = target.as(Spec.class);
        return spec.namespace() + "/" + spec.deployment();
    }
}
