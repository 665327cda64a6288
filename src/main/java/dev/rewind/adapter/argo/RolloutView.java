package dev.rewind.adapter.argo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fields of an {@code argoproj.io/v1alpha1} Rollout that Rewind reads, from the generic resource
 * (no Argo library): the desired replicas, pod selector and template, and where the controller says
 * the update stands ({@code currentPodHash} is the template being rolled out, {@code stableRS} the hash
 * of the ReplicaSet that serves when nothing is in flight).
 */
record RolloutView(GenericKubernetesResource resource) {

    String namespace() {
        return resource.getMetadata().getNamespace();
    }

    String uid() {
        return resource.getMetadata().getUid();
    }

    int replicas() {
        Object replicas = spec().get("replicas");
        return replicas instanceof Number n ? n.intValue() : 1;
    }

    boolean specPaused() {
        return Boolean.TRUE.equals(spec().get("paused"));
    }

    Map<String, String> selector() {
        Object selector = spec().get("selector");
        if (selector instanceof Map<?, ?> map && map.get("matchLabels") instanceof Map<?, ?> labels) {
            Map<String, String> out = new LinkedHashMap<>();
            labels.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
            return out;
        }
        return Map.of();
    }

    Object template() {
        return spec().get("template");
    }

    Optional<String> currentPodHash() {
        return text(status().get("currentPodHash"));
    }

    Optional<String> stableHash() {
        return text(status().get("stableRS"));
    }

    boolean aborted() {
        return Boolean.TRUE.equals(status().get("abort"));
    }

    /** An update is in flight (or was aborted) while the template being rolled out is not the stable one. */
    boolean updating() {
        return currentPodHash().isPresent() && stableHash().isPresent() && !currentPodHash().equals(stableHash());
    }

    /** The controller has acted on an abort: it stamps {@code abortedAt} and reports RolloutAborted. */
    boolean abortSeen() {
        return status().get("abortedAt") != null || message().filter(m -> m.startsWith("RolloutAborted")).isPresent();
    }

    String phase() {
        return text(status().get("phase")).orElse("Unknown");
    }

    Optional<String> message() {
        return text(status().get("message"));
    }

    String strategy() {
        Object strategy = spec().get("strategy");
        if (strategy instanceof Map<?, ?> map) {
            if (map.containsKey("blueGreen")) {
                return "blueGreen";
            }
            if (map.containsKey("canary")) {
                return "canary";
            }
        }
        return "unknown";
    }

    int canarySteps() {
        Object strategy = spec().get("strategy");
        if (strategy instanceof Map<?, ?> map && map.get("canary") instanceof Map<?, ?> canary
                && canary.get("steps") instanceof List<?> steps) {
            return steps.size();
        }
        return 0;
    }

    Optional<Integer> currentStepIndex() {
        return status().get("currentStepIndex") instanceof Number n ? Optional.of(n.intValue()) : Optional.empty();
    }

    private Map<?, ?> spec() {
        return resource.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec ? spec : Map.of();
    }

    private Map<?, ?> status() {
        return resource.getAdditionalProperties().get("status") instanceof Map<?, ?> status ? status : Map.of();
    }

    private static Optional<String> text(Object value) {
        return value == null || String.valueOf(value).isBlank() ? Optional.empty() : Optional.of(String.valueOf(value));
    }
}
