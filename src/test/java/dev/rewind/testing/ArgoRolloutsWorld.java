package dev.rewind.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Argo Rollouts on top of a {@link KubernetesWorld}: the Rollout CRD (with its status subresource,
 * as installed by Argo) and a small stand-in for the Argo controller. It reacts as the real one does,
 * as far as the tests need: a new template gets a ReplicaSet ({@code rollouts-pod-template-hash},
 * {@code rollout.argoproj.io/revision}); without canary steps, or when the template is the stable one
 * again, it is promoted at once; with steps, the canary pauses at 20%; {@code status.abort} scales the
 * canary down, keeps stable serving and marks the Rollout Degraded.
 */
public final class ArgoRolloutsWorld implements AutoCloseable {

    public static final ResourceDefinitionContext ROLLOUTS = new ResourceDefinitionContext.Builder()
            .withGroup("argoproj.io").withVersion("v1alpha1").withKind("Rollout").withPlural("rollouts")
            .withNamespaced(true).build();
    private static final String HASH = "rollouts-pod-template-hash";
    private static final String REVISION = "rollout.argoproj.io/revision";

    private final KubernetesClient client;
    private final ScheduledExecutorService controller = ControllerSim.thread("fake-argo-rollouts-controller");

    public ArgoRolloutsWorld(KubernetesWorld world) {
        this.client = world.newClient();
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("rollouts.argoproj.io").endMetadata()
                .withNewSpec().withGroup("argoproj.io").withScope("Namespaced")
                .withNewNames().withKind("Rollout").withPlural("rollouts").withSingular("rollout").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources().endVersion()
                .endSpec().build()).create();
        controller.scheduleWithFixedDelay(this::reconcileAll, 20, 20, TimeUnit.MILLISECONDS);
    }

    public Resource<GenericKubernetesResource> rollout(String namespace, String name) {
        return client.genericKubernetesResources(ROLLOUTS).inNamespace(namespace).withName(name);
    }

    /** A canary Rollout without steps whose history holds one revision per image, the last one stable. */
    public void rollout(String namespace, String name, int replicas, String... images) {
        Map<String, Object> template = Map.of("metadata", Map.of("labels", Map.of("app", name)),
                "spec", Map.of("containers", List.of(Map.of("name", "app", "image", images[0]))));
        GenericKubernetesResource rollout = new GenericKubernetesResource();
        rollout.setApiVersion("argoproj.io/v1alpha1");
        rollout.setKind("Rollout");
        rollout.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        rollout.setAdditionalProperty("spec", new LinkedHashMap<>(Map.of("replicas", replicas,
                "selector", Map.of("matchLabels", Map.of("app", name)), "template", template,
                "strategy", Map.of("canary", Map.of()))));
        client.genericKubernetesResources(ROLLOUTS).inNamespace(namespace).resource(rollout).create();
        awaitReconciled(namespace, name);
        for (int i = 1; i < images.length; i++) {
            setImage(namespace, name, images[i]);
        }
    }

    /** Adds canary steps (setWeight 20, pause) and starts an update to {@code image}, which pauses at 20%. */
    @SuppressWarnings("unchecked")
    public void startCanary(String namespace, String name, String image) {
        rollout(namespace, name).edit(r -> {
            Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
            spec.put("strategy", Map.of("canary", Map.of("steps", List.of(Map.of("setWeight", 20), Map.of("pause", Map.of())))));
            image(r).put("image", image);
            return r;
        });
        awaitReconciled(namespace, name);
    }

    public void setImage(String namespace, String name, String image) {
        rollout(namespace, name).edit(r -> {
            image(r).put("image", image);
            return r;
        });
        awaitReconciled(namespace, name);
    }

    public Map<String, Object> status(String namespace, String name) {
        return status(rollout(namespace, name).get());
    }

    public String image(String namespace, String name) {
        return String.valueOf(image(rollout(namespace, name).get()).get("image"));
    }

    public List<ReplicaSet> replicaSets(String namespace, String name) {
        GenericKubernetesResource rollout = rollout(namespace, name).get();
        return owned(rollout);
    }

    private void awaitReconciled(String namespace, String name) {
        ControllerSim.awaitReconciled("Argo Rollout " + namespace + "/" + name, () -> {
            GenericKubernetesResource r = rollout(namespace, name).get();
            return String.valueOf(r.getMetadata().getGeneration()).equals(status(r).get("observedGeneration"));
        });
    }

    private void reconcileAll() {
        try {
            for (GenericKubernetesResource r : client.genericKubernetesResources(ROLLOUTS).inAnyNamespace().list().getItems()) {
                Map<String, Object> status = status(r);
                if (!String.valueOf(r.getMetadata().getGeneration()).equals(status.get("observedGeneration"))) {
                    reconcileSpec(r);
                } else if (Boolean.TRUE.equals(status.get("abort")) && !"Degraded".equals(status.get("phase"))) {
                    reconcileAbort(r);
                }
            }
        } catch (RuntimeException e) {
            // the mock server is shutting down, or a write raced with the test; try again next tick
        }
    }

    @SuppressWarnings("unchecked")
    private void reconcileSpec(GenericKubernetesResource r) {
        String ns = r.getMetadata().getNamespace();
        Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
        int replicas = ((Number) spec.getOrDefault("replicas", 1)).intValue();
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        String hash = hash(template);
        List<ReplicaSet> sets = owned(r);
        long maxRevision = sets.stream().mapToLong(ArgoRolloutsWorld::revision).max().orElse(0);
        Optional<ReplicaSet> existing = sets.stream().filter(rs -> hash.equals(rs.getMetadata().getLabels().get(HASH))).findFirst();
        long revision = existing.map(ArgoRolloutsWorld::revision).filter(rev -> rev == maxRevision).orElse(maxRevision + 1);
        if (existing.isEmpty()) {
            create(r, template, hash, revision);
        } else if (revision(existing.get()) != revision) {
            client.apps().replicaSets().inNamespace(ns).withName(existing.get().getMetadata().getName()).edit(rs -> {
                rs.getMetadata().getAnnotations().put(REVISION, Long.toString(revision));
                return rs;
            });
        }
        Map<String, Object> status = new LinkedHashMap<>(status(r));
        Object stable = status.get("stableRS");
        List<?> steps = steps(spec);
        status.put("currentPodHash", hash);
        status.put("observedGeneration", String.valueOf(r.getMetadata().getGeneration()));
        status.remove("abort");
        status.remove("abortedAt");
        if (stable == null || stable.equals(hash) || steps.stream().noneMatch(s -> ((Map<?, ?>) s).containsKey("pause"))) {
            scaleAllBut(r, hash, replicas);
            status.put("stableRS", hash);
            status.put("phase", "Healthy");
            status.remove("message");
            status.put("currentStepIndex", steps.size());
            status.put("readyReplicas", replicas);
        } else {
            scale(ns, r.getMetadata().getName() + "-" + hash, 1);
            status.put("phase", "Paused");
            status.put("message", "CanaryPauseStep");
            status.put("currentStepIndex", 1);
            status.put("canary", Map.of("weights", Map.of("canary", Map.of("podTemplateHash", hash, "weight", 20),
                    "stable", Map.of("podTemplateHash", stable, "weight", 80))));
            status.put("readyReplicas", replicas + 1);
        }
        writeStatus(r, status);
    }

    @SuppressWarnings("unchecked")
    private void reconcileAbort(GenericKubernetesResource r) {
        Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
        int replicas = ((Number) spec.getOrDefault("replicas", 1)).intValue();
        Map<String, Object> status = new LinkedHashMap<>(status(r));
        String stable = String.valueOf(status.get("stableRS"));
        scaleAllBut(r, stable, replicas);
        String aborted = owned(r).stream().filter(rs -> String.valueOf(status.get("currentPodHash"))
                .equals(rs.getMetadata().getLabels().get(HASH))).map(rs -> Long.toString(revision(rs))).findFirst().orElse("?");
        status.put("phase", "Degraded");
        status.put("message", "RolloutAborted: Rollout aborted update to revision " + aborted);
        status.put("abortedAt", Instant.now().toString());
        status.put("currentStepIndex", 0);
        status.put("canary", Map.of("weights", Map.of("canary", Map.of("weight", 0), "stable", Map.of("podTemplateHash",
                stable, "weight", 100))));
        status.put("readyReplicas", replicas);
        writeStatus(r, status);
    }

    private void writeStatus(GenericKubernetesResource r, Map<String, Object> status) {
        r.setAdditionalProperty("status", status);
        client.genericKubernetesResources(ROLLOUTS).inNamespace(r.getMetadata().getNamespace()).resource(r).updateStatus();
    }

    private void create(GenericKubernetesResource r, Map<String, Object> template, String hash, long revision) {
        String ns = r.getMetadata().getNamespace();
        PodTemplateSpec rsTemplate = Serialization.jsonMapper().convertValue(template, PodTemplateSpec.class);
        Map<String, String> labels = new LinkedHashMap<>(rsTemplate.getMetadata().getLabels());
        labels.put(HASH, hash);
        rsTemplate.getMetadata().setLabels(labels);
        client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(r.getMetadata().getName() + "-" + hash).withNamespace(ns)
                        .withLabels(labels).withAnnotations(Map.of(REVISION, Long.toString(revision)))
                        .withCreationTimestamp(Instant.now().toString())
                        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("argoproj.io/v1alpha1")
                                .withKind("Rollout").withName(r.getMetadata().getName()).withUid(r.getMetadata().getUid())
                                .withController(true).build())
                        .build())
                .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(labels).endSelector()
                .withTemplate(rsTemplate).endSpec()
                .withStatus(new ReplicaSetStatusBuilder().withReplicas(0).withReadyReplicas(0).build())
                .build()).create();
    }

    private void scaleAllBut(GenericKubernetesResource r, String hash, int replicas) {
        for (ReplicaSet rs : owned(r)) {
            boolean keep = hash.equals(rs.getMetadata().getLabels().get(HASH));
            scale(r.getMetadata().getNamespace(), rs.getMetadata().getName(), keep ? replicas : 0);
        }
    }

    private void scale(String namespace, String name, int replicas) {
        client.apps().replicaSets().inNamespace(namespace).withName(name).edit(rs -> {
            rs.getSpec().setReplicas(replicas);
            rs.setStatus(new ReplicaSetStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
                    .withAvailableReplicas(replicas).build());
            return rs;
        });
    }

    private List<ReplicaSet> owned(GenericKubernetesResource r) {
        return client.apps().replicaSets().inNamespace(r.getMetadata().getNamespace()).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> r.getMetadata().getUid().equals(o.getUid())))
                .toList();
    }

    private static long revision(ReplicaSet rs) {
        return Long.parseLong(rs.getMetadata().getAnnotations().getOrDefault(REVISION, "0"));
    }

    @SuppressWarnings("unchecked")
    private static List<?> steps(Map<String, Object> spec) {
        Object strategy = spec.get("strategy");
        if (strategy instanceof Map<?, ?> s && s.get("canary") instanceof Map<?, ?> canary
                && canary.get("steps") instanceof List<?> steps) {
            return steps;
        }
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource r) {
        Object status = r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> image(GenericKubernetesResource r) {
        Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        Map<String, Object> podSpec = (Map<String, Object>) template.get("spec");
        return ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
    }

    private static String hash(Map<String, Object> template) {
        return ControllerSim.templateHash(Serialization.jsonMapper().convertValue(template, PodTemplateSpec.class), HASH);
    }

    @Override
    public void close() {
        controller.shutdownNow();
        client.close();
    }
}
