package dev.rewind.adapter.argo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a Rollout's pod template is the one a ReplicaSet runs, the way Argo compares them
 * ({@code equalIgnoreHash} with Kubernetes' semantic {@code DeepDerivative}): every field set in the
 * Rollout's template must be equal in the ReplicaSet's, while fields the Rollout leaves unset are
 * ignored. The API server fills defaults into a ReplicaSet's template (imagePullPolicy,
 * terminationMessagePath…) but not into a Rollout's, so plain equality would never hold on a cluster.
 */
final class TemplateMatch {

    private TemplateMatch() {
    }

    static boolean matches(Object rollout, Object replicaSet, String hashLabel) {
        return derivative(withoutHash(rollout, hashLabel), withoutHash(replicaSet, hashLabel));
    }

    private static boolean derivative(Object wanted, Object actual) {
        if (wanted == null || wanted instanceof String text && text.isEmpty()) {
            return true;
        }
        if (wanted instanceof Map<?, ?> wantedMap) {
            if (wantedMap.isEmpty()) {
                return true;
            }
            if (!(actual instanceof Map<?, ?> actualMap)) {
                return false;
            }
            return wantedMap.entrySet().stream().allMatch(e -> derivative(e.getValue(), actualMap.get(e.getKey())));
        }
        if (wanted instanceof List<?> wantedList) {
            if (wantedList.isEmpty()) {
                return true;
            }
            if (!(actual instanceof List<?> actualList) || actualList.size() != wantedList.size()) {
                return false;
            }
            for (int i = 0; i < wantedList.size(); i++) {
                if (!derivative(wantedList.get(i), actualList.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (wanted instanceof Number a && actual instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return Objects.equals(String.valueOf(wanted), actual == null ? null : String.valueOf(actual));
    }

    @SuppressWarnings("unchecked")
    private static Object withoutHash(Object template, String hashLabel) {
        if (!(template instanceof Map<?, ?> map) || !(map.get("metadata") instanceof Map<?, ?> metadata)
                || !(metadata.get("labels") instanceof Map<?, ?> labels) || !labels.containsKey(hashLabel)) {
            return template;
        }
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
        Map<String, Object> metadataCopy = new LinkedHashMap<>((Map<String, Object>) metadata);
        Map<String, Object> labelsCopy = new LinkedHashMap<>((Map<String, Object>) labels);
        labelsCopy.remove(hashLabel);
        metadataCopy.put("labels", labelsCopy);
        copy.put("metadata", metadataCopy);
        return copy;
    }
}
