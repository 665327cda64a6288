package dev.rewind.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reading pod templates the way people compare releases: images, args, env names, resources. Shared by
 * the adapters that roll back Kubernetes workloads (Deployments, StatefulSets, DaemonSets, blue-green
 * slots, Argo Rollouts).
 */
public final class PodTemplates {

    /** The label the Deployment controller adds to a ReplicaSet's template; never part of a Deployment's own. */
    static final String HASH_LABEL = "pod-template-hash";

    private PodTemplates() {
    }

    /** A copy without the controller's hash label, as {@code kubectl rollout undo} restores it. */
    static PodTemplateSpec withoutHash(PodTemplateSpec template) {
        return withoutLabel(template, HASH_LABEL);
    }

    /** A copy without one label, e.g. the hash label another controller adds ({@code rollouts-pod-template-hash}). */
    public static PodTemplateSpec withoutLabel(PodTemplateSpec template, String label) {
        PodTemplateSpec copy = new PodTemplateSpecBuilder(template).build();
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            Map<String, String> labels = new LinkedHashMap<>(copy.getMetadata().getLabels());
            labels.remove(label);
            copy.getMetadata().setLabels(labels);
        }
        return copy;
    }

    static boolean sameTemplate(PodTemplateSpec a, PodTemplateSpec b) {
        return sameTemplate(a, b, HASH_LABEL);
    }

    /** Equal apart from the controller's hash label {@code hashLabel}. */
    public static boolean sameTemplate(PodTemplateSpec a, PodTemplateSpec b, String hashLabel) {
        return withoutLabel(a, hashLabel).equals(withoutLabel(b, hashLabel));
    }

    public static List<String> images(PodTemplateSpec template) {
        return containers(template).stream().map(Container::getImage).toList();
    }

    static List<Container> containers(PodTemplateSpec template) {
        if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null) {
            return List.of();
        }
        return template.getSpec().getContainers();
    }

    /**
     * The template flattened to ordered {@code name → value} pairs for comparing revisions. Env values
     * appear only as a digest (so a change shows, the value never does); references name their source.
     */
    public static Map<String, String> attributes(PodTemplateSpec template) {
        Map<String, String> out = new LinkedHashMap<>();
        if (template == null || template.getSpec() == null) {
            return out;
        }
        if (template.getSpec().getInitContainers() != null) {
            for (Container c : template.getSpec().getInitContainers()) {
                container(out, "init container " + c.getName(), c);
            }
        }
        for (Container c : containers(template)) {
            container(out, "container " + c.getName(), c);
        }
        return out;
    }

    private static void container(Map<String, String> out, String prefix, Container c) {
        out.put(prefix + " image", String.valueOf(c.getImage()));
        if (c.getCommand() != null && !c.getCommand().isEmpty()) {
            out.put(prefix + " command", String.join(" ", c.getCommand()));
        }
        if (c.getArgs() != null && !c.getArgs().isEmpty()) {
            out.put(prefix + " args", String.join(" ", c.getArgs()));
        }
        if (c.getEnv() != null) {
            for (EnvVar env : c.getEnv()) {
                out.put(prefix + " env " + env.getName(), envValue(env));
            }
        }
        ResourceRequirements resources = c.getResources();
        if (resources != null) {
            quantities(out, prefix + " requests ", resources.getRequests());
            quantities(out, prefix + " limits ", resources.getLimits());
        }
    }

    private static void quantities(Map<String, String> out, String prefix, Map<String, Quantity> values) {
        if (values != null) {
            new TreeMap<>(values).forEach((name, quantity) -> out.put(prefix + name, quantity.toString()));
        }
    }

    private static String envValue(EnvVar env) {
        if (env.getValueFrom() != null) {
            var from = env.getValueFrom();
            if (from.getSecretKeyRef() != null) {
                return "from secret " + from.getSecretKeyRef().getName() + "/" + from.getSecretKeyRef().getKey();
            }
            if (from.getConfigMapKeyRef() != null) {
                return "from configmap " + from.getConfigMapKeyRef().getName() + "/" + from.getConfigMapKeyRef().getKey();
            }
            if (from.getFieldRef() != null) {
                return "from field " + from.getFieldRef().getFieldPath();
            }
            return "from a reference";
        }
        return "value " + digest(env.getValue() == null ? "" : env.getValue());
    }

    private static String digest(String value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
