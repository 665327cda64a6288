package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Rolling back a workload whose history is kept in ControllerRevisions (StatefulSets, DaemonSets) the
 * way {@code kubectl rollout undo} does: the chosen revision's pod template is written back into
 * {@code spec.template}, then the rollout is watched until the kind's own "done" holds. Each kind
 * supplies how to read it by extending this class: {@link KubernetesStatefulSetAdapter} and
 * {@link KubernetesDaemonSetAdapter}.
 */
abstract class ControllerRevisionRollback<T extends HasMetadata, S extends Record & ControllerRevisionRollback.Workload>
        implements RollbackAdapter {

    /** What each kind's spec record says: where the workload is. */
    interface Workload {
        String namespace();

        /** The workload's name, under the kind's own key ({@code statefulSet:}, {@code daemonSet:}). */
        String name();
    }

    private final KubernetesClient client;
    private final String kind;
    private final Class<S> spec;

    ControllerRevisionRollback(KubernetesClient client, String kind, Class<S> spec) {
        this.client = client;
        this.kind = kind;
        this.spec = spec;
    }

    abstract Resource<T> resource(KubernetesClient client, String namespace, String name);

    abstract PodTemplateSpec template(T workload);

    abstract LabelSelector selector(T workload);

    abstract RolloutStatus status(T workload);

    /** The revision the controller says the spec is at, if the kind records one (StatefulSet's updateRevision). */
    abstract Optional<String> recordedRevision(T workload);

    /** The kind's update strategy ({@code RollingUpdate}, {@code OnDelete}), if set. */
    abstract Optional<String> updateStrategy(T workload);

    @Override
    public final Optional<Class<? extends Record>> specType() {
        return Optional.of(spec);
    }

    /** Read and patch the workload, watch it, read its ControllerRevisions and pods. */
    @Override
    public final List<ApiPermission> permissions(Target target) {
        S workload = target.as(spec);
        String resource = kind.toLowerCase(java.util.Locale.ROOT) + "s";
        String namespace = workload.namespace();
        return List.of(ApiPermission.apps("get", resource, namespace), ApiPermission.apps("patch", resource, namespace),
                ApiPermission.apps("watch", resource, namespace), ApiPermission.apps("list", "controllerrevisions", namespace),
                ApiPermission.core("list", "pods", namespace));
    }

    @Override
    public final TargetState describe(Target target) {
        T workload = workload(target);
        List<ControllerRevision> history = history(workload);
        Optional<ControllerRevision> current = current(workload, history);
        Revision live = current.map(ControllerRevisions::revision).orElseGet(() -> new Revision("?", "live",
                PodTemplates.images(template(workload)), Optional.empty(), Optional.empty(),
                PodTemplates.attributes(template(workload))));
        List<Revision> candidates = history.stream()
                .filter(cr -> current.map(c -> !c.getMetadata().getName().equals(cr.getMetadata().getName())).orElse(true))
                .map(ControllerRevisions::revision)
                .toList();
        RolloutStatus rollout = status(workload);
        List<TargetState.Fact> facts = List.of(
                new TargetState.Fact("Replicas", rollout.detail()),
                new TargetState.Fact("Rollout", rollout.state().name().toLowerCase()));
        List<String> warnings = new ArrayList<>();
        if (rollout.state() == RolloutStatus.State.PROGRESSING) {
            warnings.add("A rollout is in progress right now (" + rollout.detail() + ")");
        }
        if (updateStrategy(workload).filter("OnDelete"::equals).isPresent()) {
            warnings.add("updateStrategy is OnDelete: a rollback restores the template, but pods change only when "
                    + "they are deleted");
        }
        if (current.isEmpty()) {
            warnings.add("No ControllerRevision matches the " + kind + "'s current template: its history may be incomplete");
        }
        GitOps.managedBy(workload).ifPresent(tool -> warnings.add("Managed by " + tool
                + ": a rollback here will be reverted by its sync loop unless automated sync is paused; "
                + "consider rolling back in " + tool + " or reverting the commit"));
        return new TargetState(name(target), live, candidates, facts, warnings);
    }

    @Override
    public final Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        String revisionId = change.revisionId();
        T workload = workload(target);
        List<ControllerRevision> history = history(workload);
        ControllerRevision wanted = history.stream().filter(cr -> cr.getMetadata().getName().equals(revisionId)
                        || String.valueOf(cr.getRevision()).equals(revisionId)
                        || ControllerRevisions.label(cr).equals(revisionId)).findFirst()
                .orElseThrow(() -> new AdapterException("revision " + revisionId + " is not in the history of " + kind
                        + " " + name(target) + " (available: " + history.stream().map(ControllerRevisions::label)
                        .collect(Collectors.joining(", ")) + ")"));
        PodTemplateSpec template = ControllerRevisions.template(wanted).orElseThrow(() -> new AdapterException(
                "ControllerRevision " + wanted.getMetadata().getName() + " of " + name(target) + " holds no pod template"));
        String label = ControllerRevisions.label(wanted);
        String from = current(workload, history).map(ControllerRevisions::label).orElse("the live revision");
        String images = String.join(", ", PodTemplates.images(template));
        if (ControllerRevisions.holds(wanted, template(workload))) {
            progress.step(kind + " " + name(target) + " already has the pod template of " + label
                    + "; waiting for its rollout");
        } else {
            try {
                resource(target).patch(PatchContext.of(PatchType.JSON), Serialization.asJson(List.of(
                        Map.of("op", "replace", "path", "/spec/template", "value", template))));
            } catch (KubernetesClientException e) {
                throw new AdapterException("Kubernetes refused the rollback of " + kind + " " + name(target) + ": "
                        + KubernetesErrors.describe(e), e);
            }
            progress.step(kind + " " + name(target) + ": pod template of " + label + " restored (" + images + ")");
        }
        RolloutStatus done = new RolloutWatch<>(client, resource(target), kind + " " + name(target), this::status,
                w -> Optional.ofNullable(selector(w)).map(LabelSelector::getMatchLabels).orElse(Map.of()), progress)
                .awaitComplete(timeout);
        return new Outcome(kind + " " + name(target) + " rolled back from " + from + " to " + label + " (" + images
                + "): " + done.detail(), Map.of("fromRevision", from, "toControllerRevision", wanted.getMetadata().getName()));
    }

    @Override
    public final Health verify(Target target) {
        RolloutStatus status = status(workload(target));
        return switch (status.state()) {
            case COMPLETE -> Health.healthy(kind + " " + name(target) + ": " + status.detail());
            case PROGRESSING -> Health.progressing(status.detail());
            case FAILED -> Health.unhealthy(status.detail());
        };
    }

    private Optional<ControllerRevision> current(T workload, List<ControllerRevision> history) {
        return recordedRevision(workload)
                .flatMap(name -> history.stream().filter(cr -> cr.getMetadata().getName().equals(name)).findFirst())
                .filter(cr -> ControllerRevisions.holds(cr, template(workload)))
                .or(() -> history.stream().filter(cr -> ControllerRevisions.holds(cr, template(workload))).findFirst());
    }

    private List<ControllerRevision> history(T workload) {
        return ControllerRevisions.of(client, workload,
                Optional.ofNullable(selector(workload)).map(LabelSelector::getMatchLabels).orElse(Map.of()));
    }

    private T workload(Target target) {
        T workload;
        try {
            workload = resource(target).get();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read " + kind + " " + name(target) + ": " + KubernetesErrors.describe(e), e);
        }
        if (workload == null) {
            throw new AdapterException(kind + " " + name(target) + " not found");
        }
        return workload;
    }

    private Resource<T> resource(Target target) {
        S workload = target.as(spec);
        return resource(client, workload.namespace(), workload.name());
    }

    private String name(Target target) {
        S workload = target.as(spec);
        return workload.namespace() + "/" + workload.name();
    }
}
