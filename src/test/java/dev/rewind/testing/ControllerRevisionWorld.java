package dev.rewind.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Stand-ins for the StatefulSet and DaemonSet controllers on top of a {@link KubernetesWorld}: when the
 * spec changes they find or create the ControllerRevision for the template (its {@code .data} holding
 * {@code {"spec":{"template":{"$patch":"replace", …}}}} as the real ones store it), renumber a reused one
 * to the newest revision, and report the rollout done — or stuck on a pod with ImagePullBackOff for
 * images the test marked as broken (these kinds have no progress deadline).
 */
public final class ControllerRevisionWorld implements AutoCloseable {

    /** How many nodes the fake cluster has, i.e. how many pods a DaemonSet wants. */
    public static final int NODES = 3;
    private static final String HASH = "controller.kubernetes.io/hash";

    private final KubernetesWorld world;
    private final KubernetesClient client;
    private final ScheduledExecutorService controller = ControllerSim.thread("fake-statefulset-daemonset-controller");

    public ControllerRevisionWorld(KubernetesWorld world) {
        this.world = world;
        this.client = world.newClient();
        controller.scheduleWithFixedDelay(this::reconcileAll, 20, 20, TimeUnit.MILLISECONDS);
    }

    /** A StatefulSet whose history holds one revision per image, the last one live. */
    public void statefulSet(String namespace, String name, int replicas, String... images) {
        client.apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName(name)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(images[0]).endContainer().endSpec()
                .endTemplate().withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .endSpec().build()).create();
        await(() -> client.apps().statefulSets().inNamespace(namespace).withName(name).get(),
                s -> s.getStatus() == null ? null : s.getStatus().getObservedGeneration());
        for (int i = 1; i < images.length; i++) {
            String image = images[i];
            client.apps().statefulSets().inNamespace(namespace).withName(name).edit(s -> {
                s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
                return s;
            });
            await(() -> client.apps().statefulSets().inNamespace(namespace).withName(name).get(),
                    s -> s.getStatus() == null ? null : s.getStatus().getObservedGeneration());
        }
    }

    /** A DaemonSet whose history holds one revision per image, the last one live. */
    public void daemonSet(String namespace, String name, String... images) {
        client.apps().daemonSets().inNamespace(namespace).resource(new DaemonSetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("agent").withImage(images[0]).endContainer().endSpec()
                .endTemplate().withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .endSpec().build()).create();
        await(() -> client.apps().daemonSets().inNamespace(namespace).withName(name).get(),
                d -> d.getStatus() == null ? null : d.getStatus().getObservedGeneration());
        for (int i = 1; i < images.length; i++) {
            String image = images[i];
            client.apps().daemonSets().inNamespace(namespace).withName(name).edit(d -> {
                d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
                return d;
            });
            await(() -> client.apps().daemonSets().inNamespace(namespace).withName(name).get(),
                    d -> d.getStatus() == null ? null : d.getStatus().getObservedGeneration());
        }
    }

    public StatefulSet statefulSet(String namespace, String name) {
        return client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    }

    public DaemonSet daemonSet(String namespace, String name) {
        return client.apps().daemonSets().inNamespace(namespace).withName(name).get();
    }

    public List<ControllerRevision> controllerRevisions(String namespace) {
        return client.apps().controllerRevisions().inNamespace(namespace).list().getItems();
    }

    private <T extends HasMetadata> void await(Supplier<T> read, Function<T, Long> observed) {
        ControllerSim.awaitReconciled("a StatefulSet or DaemonSet", () -> {
            T workload = read.get();
            return workload.getMetadata().getGeneration() != null
                    && workload.getMetadata().getGeneration().equals(observed.apply(workload));
        });
    }

    private void reconcileAll() {
        try {
            for (StatefulSet s : client.apps().statefulSets().inAnyNamespace().list().getItems()) {
                if (s.getStatus() == null || !s.getMetadata().getGeneration().equals(s.getStatus().getObservedGeneration())) {
                    reconcile(s);
                }
            }
            for (DaemonSet d : client.apps().daemonSets().inAnyNamespace().list().getItems()) {
                if (d.getStatus() == null || !d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())) {
                    reconcile(d);
                }
            }
        } catch (RuntimeException e) {
            // the mock server is shutting down, or a write raced with the test; try again next tick
        }
    }

    private void reconcile(StatefulSet s) {
        String ns = s.getMetadata().getNamespace();
        String previous = s.getStatus() == null ? null : s.getStatus().getCurrentRevision();
        String revision = revisionFor(s, s.getSpec().getTemplate(), s.getSpec().getSelector().getMatchLabels());
        int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
        boolean broken = broken(s, s.getSpec().getTemplate());
        s.setStatus(new StatefulSetStatusBuilder().withObservedGeneration(s.getMetadata().getGeneration())
                .withReplicas(replicas)
                .withReadyReplicas(broken ? replicas - 1 : replicas)
                .withCurrentReplicas(broken ? replicas - 1 : replicas)
                .withUpdatedReplicas(broken ? 1 : replicas)
                .withCurrentRevision(broken && previous != null ? previous : revision)
                .withUpdateRevision(revision).build());
        client.apps().statefulSets().inNamespace(ns).resource(s).updateStatus();
    }

    private void reconcile(DaemonSet d) {
        String ns = d.getMetadata().getNamespace();
        revisionFor(d, d.getSpec().getTemplate(), d.getSpec().getSelector().getMatchLabels());
        boolean broken = broken(d, d.getSpec().getTemplate());
        d.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                .withDesiredNumberScheduled(NODES).withCurrentNumberScheduled(NODES)
                .withUpdatedNumberScheduled(broken ? 1 : NODES)
                .withNumberReady(broken ? NODES - 1 : NODES).withNumberAvailable(broken ? NODES - 1 : NODES)
                .withNumberUnavailable(broken ? 1 : 0).withNumberMisscheduled(0).build());
        client.apps().daemonSets().inNamespace(ns).resource(d).updateStatus();
    }

    /** The name of the ControllerRevision holding {@code template}: found (and renumbered newest) or created. */
    private String revisionFor(HasMetadata owner, PodTemplateSpec template, Map<String, String> selector) {
        String ns = owner.getMetadata().getNamespace();
        String hash = hash(template);
        List<ControllerRevision> owned = client.apps().controllerRevisions().inNamespace(ns).list().getItems().stream()
                .filter(cr -> cr.getMetadata().getOwnerReferences() != null && cr.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> owner.getMetadata().getUid().equals(o.getUid())))
                .toList();
        long max = owned.stream().mapToLong(ControllerRevision::getRevision).max().orElse(0);
        Optional<ControllerRevision> existing = owned.stream()
                .filter(cr -> hash.equals(cr.getMetadata().getLabels().get(HASH))).findFirst();
        String name = owner.getMetadata().getName() + "-" + hash;
        if (existing.isEmpty()) {
            Map<String, Object> data = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> stored = new LinkedHashMap<>(Serialization.jsonMapper().convertValue(template, Map.class));
            stored.put("$patch", "replace");
            data.put("spec", Map.of("template", stored));
            Map<String, String> labels = new LinkedHashMap<>(selector);
            labels.put(HASH, hash);
            client.apps().controllerRevisions().inNamespace(ns).resource(new ControllerRevisionBuilder()
                    .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).withLabels(labels)
                            .withCreationTimestamp(Instant.now().toString())
                            .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                                    .withKind(owner.getKind()).withName(owner.getMetadata().getName())
                                    .withUid(owner.getMetadata().getUid()).withController(true).build())
                            .build())
                    .withRevision(max + 1).withData(data).build()).create();
        } else if (existing.get().getRevision() != max) {
            client.apps().controllerRevisions().inNamespace(ns).withName(name).edit(cr -> {
                cr.setRevision(max + 1);
                return cr;
            });
        }
        return name;
    }

    private boolean broken(HasMetadata owner, PodTemplateSpec template) {
        Optional<String> bad = template.getSpec().getContainers().stream().map(c -> c.getImage())
                .filter(world::isBroken).findFirst();
        bad.ifPresent(image -> ControllerSim.waitingPod(client, owner.getMetadata().getNamespace(),
                owner.getMetadata().getName() + "-x", template.getMetadata().getLabels(), "ImagePullBackOff",
                "Back-off pulling image \"" + image + "\""));
        return bad.isPresent();
    }

    private static String hash(PodTemplateSpec template) {
        return ControllerSim.templateHash(template, null);
    }

    @Override
    public void close() {
        controller.shutdownNow();
        client.close();
    }
}
