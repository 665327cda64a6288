package dev.rewind.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.Map;
import java.util.Optional;

/** Tells whether a GitOps controller owns a resource, from the labels and annotations those tools set. */
public final class GitOps {

    private GitOps() {
    }

    public static Optional<String> managedBy(HasMetadata resource) {
        Map<String, String> labels = resource.getMetadata().getLabels() == null ? Map.of() : resource.getMetadata().getLabels();
        Map<String, String> annotations = resource.getMetadata().getAnnotations() == null ? Map.of()
                : resource.getMetadata().getAnnotations();
        if (labels.containsKey("argocd.argoproj.io/instance") || annotations.containsKey("argocd.argoproj.io/tracking-id")) {
            return Optional.of("Argo CD");
        }
        if (labels.containsKey("kustomize.toolkit.fluxcd.io/name") || labels.containsKey("helm.toolkit.fluxcd.io/name")) {
            return Optional.of("Flux");
        }
        return Optional.empty();
    }
}
