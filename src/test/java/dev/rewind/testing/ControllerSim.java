package dev.rewind.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * What the fake controllers (Deployments in {@link KubernetesWorld}, StatefulSets and DaemonSets in
 * {@link ControllerRevisionWorld}, Argo Rollouts in {@link ArgoRolloutsWorld}) do alike: reconcile on a thread
 * of their own, name a pod template by a hash of it, show a pod stuck waiting, and let a test wait until a
 * change has been reconciled.
 */
final class ControllerSim {

    private ControllerSim() {
    }

    /** The controller's reconcile thread, a daemon so a test that forgets to close cannot hang the JVM. */
    static ScheduledExecutorService thread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Waits up to 10 s until {@code reconciled} holds; {@code what} names the object in the failure. */
    static void awaitReconciled(String what, BooleanSupplier reconciled) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (reconciled.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("fake controller did not reconcile " + what);
    }

    /** A pod template's name, as the controllers derive one: a hash of it without its own hash label. */
    static String templateHash(PodTemplateSpec template, String hashLabel) {
        try {
            PodTemplateSpec copy = Serialization.clone(template);
            if (hashLabel != null && copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
                copy.getMetadata().getLabels().remove(hashLabel);
            }
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Serialization.asJson(copy)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pod whose container waits with {@code reason} ("ImagePullBackOff"): what a stuck rollout shows. */
    static void waitingPod(KubernetesClient client, String namespace, String name, Map<String, String> labels, String reason,
                           String message) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(labels).endMetadata()
                .withNewStatus().withContainerStatuses(new ContainerStatusBuilder().withName("app")
                        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build())
                .endStatus().build()).createOr(p -> p.update());
    }
}
