package dev.rewind.adapter.argo;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Rollout templates are compared with ReplicaSet templates that carry the API server's defaults. */
class TemplateMatchTest {

    private static final Map<String, Object> ROLLOUT = Map.of(
            "metadata", Map.of("labels", Map.of("app", "search")),
            "spec", Map.of("containers", List.of(Map.of("name", "app", "image", "shop/search:1.1",
                    "ports", List.of(Map.of("containerPort", 8080))))));

    private static Map<String, Object> replicaSet(String image, int port) {
        return Map.of(
                "metadata", Map.of("labels", Map.of("app", "search", "rollouts-pod-template-hash", "6b9d8c7f5")),
                "spec", Map.of("containers", List.of(Map.of("name", "app", "image", image,
                                "imagePullPolicy", "IfNotPresent", "terminationMessagePath", "/dev/termination-log",
                                "ports", List.of(Map.of("containerPort", port, "protocol", "TCP")))),
                        "restartPolicy", "Always", "dnsPolicy", "ClusterFirst", "terminationGracePeriodSeconds", 30));
    }

    @Test
    void defaultsAndTheHashLabelOnTheReplicaSetSideAreIgnored() {
        assertThat(TemplateMatch.matches(ROLLOUT, replicaSet("shop/search:1.1", 8080), "rollouts-pod-template-hash")).isTrue();
    }

    @Test
    void aFieldTheRolloutSetsMustBeEqual() {
        assertThat(TemplateMatch.matches(ROLLOUT, replicaSet("shop/search:1.2", 8080), "rollouts-pod-template-hash")).isFalse();
        assertThat(TemplateMatch.matches(ROLLOUT, replicaSet("shop/search:1.1", 9090), "rollouts-pod-template-hash")).isFalse();
    }

    @Test
    void aLabelOnlyTheReplicaSetHasIsIgnoredButADifferentOneIsNot() {
        Map<String, Object> relabelled = Map.of("metadata", Map.of("labels", Map.of("app", "other")),
                "spec", ROLLOUT.get("spec"));
        assertThat(TemplateMatch.matches(relabelled, replicaSet("shop/search:1.1", 8080), "rollouts-pod-template-hash"))
                .isFalse();
    }
}
