package dev.rewind.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flux's Kustomization API on top of a {@link KubernetesWorld}: the CRD
 * ({@code kustomize.toolkit.fluxcd.io/v1}, with its status subresource) and Kustomizations whose status
 * the test writes the way kustomize-controller does: {@code lastAppliedRevision} /
 * {@code lastAttemptedRevision} as {@code main@sha1:<sha>}, and a {@code Ready} condition.
 */
public final class FluxWorld {

    public static final String NAMESPACE = "flux-system";
    private static final ResourceDefinitionContext KUSTOMIZATIONS = new ResourceDefinitionContext.Builder()
            .withGroup("kustomize.toolkit.fluxcd.io").withVersion("v1").withKind("Kustomization")
            .withPlural("kustomizations").withNamespaced(true).build();

    private final KubernetesClient client;

    public FluxWorld(KubernetesWorld world) {
        this.client = world.newClient();
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("kustomizations.kustomize.toolkit.fluxcd.io").endMetadata()
                .withNewSpec().withGroup("kustomize.toolkit.fluxcd.io").withScope("Namespaced")
                .withNewNames().withKind("Kustomization").withPlural("kustomizations").withSingular("kustomization").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources().endVersion()
                .endSpec().build()).create();
    }

    /** A Kustomization in flux-system that has applied {@code sha} of main and is Ready. */
    public void kustomization(String name, String sha) {
        GenericKubernetesResource kustomization = new GenericKubernetesResource();
        kustomization.setApiVersion("kustomize.toolkit.fluxcd.io/v1");
        kustomization.setKind("Kustomization");
        kustomization.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        kustomization.setAdditionalProperty("spec", new LinkedHashMap<>(Map.of("interval", "1m", "path", "./apps/" + name,
                "prune", true, "sourceRef", Map.of("kind", "GitRepository", "name", "flux-system"))));
        kustomizations().resource(kustomization).create();
        applied(name, sha);
    }

    /** Applied {@code sha} and Ready, as after a successful reconciliation. */
    public void applied(String name, String sha) {
        status(name, sha, sha, "True", "ReconciliationSucceeded", "Applied revision: main@sha1:" + sha);
    }

    /** Applied {@code sha}, but the health checks of what it applied fail. */
    public void appliedUnhealthy(String name, String sha, String message) {
        status(name, sha, sha, "False", "HealthCheckFailed", message);
    }

    /** Tried {@code sha} and could not apply it; {@code applied} stays what it ran before. */
    public void failedToApply(String name, String applied, String sha, String message) {
        status(name, applied, sha, "False", "ReconciliationFailed", message);
    }

    /** Picked up {@code sha} and is applying it. */
    public void reconciling(String name, String applied, String sha) {
        status(name, applied, sha, "Unknown", "Progressing", "Reconciliation in progress");
    }

    private void status(String name, String applied, String attempted, String ready, String reason, String message) {
        GenericKubernetesResource kustomization = resource(name).get();
        kustomization.setAdditionalProperty("status", new LinkedHashMap<>(Map.of(
                "lastAppliedRevision", "main@sha1:" + applied,
                "lastAttemptedRevision", "main@sha1:" + attempted,
                "conditions", List.of(Map.of("type", "Ready", "status", ready, "reason", reason, "message", message,
                        "lastTransitionTime", "2024-05-02T10:00:00Z")))));
        kustomizations().resource(kustomization).updateStatus();
    }

    private Resource<GenericKubernetesResource> resource(String name) {
        return kustomizations().withName(name);
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> kustomizations() {
        return client.genericKubernetesResources(KUSTOMIZATIONS).inNamespace(NAMESPACE);
    }
}
