package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Revision;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The history of a StatefulSet or DaemonSet: its ControllerRevisions (selected by its selector,
 * controlled by it, numbered by {@code .revision}), each holding in {@code .data} the patch
 * {@code {"spec":{"template":{"$patch":"replace", …}}}} that {@code kubectl rollout undo} applies.
 */
final class ControllerRevisions {

    /** The label the controllers add to pods (not to the stored template) naming their revision. */
    static final String HASH_LABEL = "controller-revision-hash";

    private ControllerRevisions() {
    }

    /** The owner's ControllerRevisions, newest first. */
    static List<ControllerRevision> of(KubernetesClient client, HasMetadata owner, Map<String, String> selector) {
        List<ControllerRevision> revisions;
        try {
            revisions = client.apps().controllerRevisions().inNamespace(owner.getMetadata().getNamespace())
                    .withLabels(selector).list().getItems();
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot list ControllerRevisions of " + owner.getKind() + " "
                    + owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName() + ": "
                    + KubernetesErrors.describe(e), e);
        }
        String uid = owner.getMetadata().getUid();
        return revisions.stream()
                .filter(cr -> uid == null || cr.getMetadata().getOwnerReferences() != null && cr.getMetadata()
                        .getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
                .sorted(Comparator.comparingLong(ControllerRevisions::number).reversed())
                .toList();
    }

    /** The pod template the revision restores, without the strategic-merge directive kubectl sends along. */
    @SuppressWarnings("unchecked")
    static Optional<PodTemplateSpec> template(ControllerRevision revision) {
        if (revision.getData() == null) {
            return Optional.empty();
        }
        // .data is a RawExtension; depending on how it was read it arrives as a map or a wrapper: go through JSON.
        Map<String, Object> map = Serialization.jsonMapper().convertValue(revision.getData(), Map.class);
        if (map.get("spec") instanceof Map<?, ?> spec
                && spec.get("template") instanceof Map<?, ?> template) {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) template);
            copy.remove("$patch");
            return Optional.of(Serialization.jsonMapper().convertValue(copy, PodTemplateSpec.class));
        }
        return Optional.empty();
    }

    static boolean holds(ControllerRevision revision, PodTemplateSpec template) {
        return template(revision).map(t -> PodTemplates.sameTemplate(t, template, HASH_LABEL)).orElse(false);
    }

    /** A revision's id is its ControllerRevision's name, stable when a rollback renumbers it. */
    static Revision revision(ControllerRevision revision) {
        PodTemplateSpec template = template(revision).orElse(new PodTemplateSpec());
        return new Revision(revision.getMetadata().getName(), label(revision), PodTemplates.images(template),
                createdAt(revision), Optional.empty(), PodTemplates.attributes(template));
    }

    static String label(ControllerRevision revision) {
        return "r" + revision.getRevision();
    }

    static long number(ControllerRevision revision) {
        return revision.getRevision() == null ? -1 : revision.getRevision();
    }

    private static Optional<Instant> createdAt(ControllerRevision revision) {
        try {
            return Optional.ofNullable(revision.getMetadata().getCreationTimestamp()).map(Instant::parse);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
