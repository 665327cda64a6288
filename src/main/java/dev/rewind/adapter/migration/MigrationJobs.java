package dev.rewind.adapter.migration;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ScalableResource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes Jobs of a migration rollback: named after the run (so executing the run again finds
 * them instead of starting a second backup or rollback), labelled so {@code verify} and {@code describe}
 * find the latest ones, and read back — status, pods, a pod's log. Also the card's listing Jobs, which
 * {@link MigrationListing} names and labels, and which clean up after themselves.
 */
final class MigrationJobs {

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String RUN = "rewind.dev/run";
    static final String STEP = "rewind.dev/step";
    static final String TARGET = "rewind.dev/target";
    /** The label the Job controller puts on a Job's pods. */
    static final String JOB_NAME = "job-name";
    static final int LOG_LINES = 20;
    /** How long reading a log waits for the pod to be ready or finished; the pods read here have finished. */
    private static final int LOG_WAIT_MILLIS = 2_000;
    private static final int NAME_LIMIT = 63;
    /** A listing's whole output is read, up to this much: enough for hundreds of migration names. */
    private static final int LOG_LIMIT_BYTES = 64 * 1024;
    private static final int HTTP_CONFLICT = 409;

    private final KubernetesClient client;

    MigrationJobs(KubernetesClient client) {
        this.client = client;
    }

    /** {@code rewind-rb-7k2m9qx4tz-backup-3f2a9c}: DNS-safe, at most 63 characters, the same on every re-run. */
    static String name(String runId, MigrationTarget.JobStep step, String targetHash) {
        String run = runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String suffix = "-" + step.step() + "-" + targetHash;
        int room = NAME_LIMIT - "rewind-".length() - suffix.length();
        if (run.length() > room) {
            run = run.substring(0, room);
        }
        return ("rewind-" + run + suffix).replaceAll("-+", "-");
    }

    Optional<Job> find(String namespace, String name) {
        try {
            return Optional.ofNullable(job(namespace, name).get());
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read Job " + namespace + "/" + name + ": " + KubernetesErrors.describe(e), e);
        }
    }

    Job create(MigrationTarget target, MigrationTarget.JobStep step, String name, String targetHash, Change change) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "rewind");
        labels.put(RUN, change.runId().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-_.]", "-"));
        labels.put(STEP, step.step());
        labels.put(TARGET, targetHash);
        Job job = build(target, step, name, labels);
        job.getMetadata().getAnnotations().put("rewind.dev/service", change.service());
        job.getMetadata().getAnnotations().put("rewind.dev/run-id", change.runId());
        try {
            return client.batch().v1().jobs().inNamespace(target.namespace()).resource(job).create();
        } catch (KubernetesClientException e) {
            throw new AdapterException("Kubernetes refused to create Job " + target.namespace() + "/" + name + ": "
                    + KubernetesErrors.describe(e), e);
        }
    }

    /**
     * Creates a listing Job that deletes itself {@code ttl} after it finishes and is stopped after
     * {@code activeDeadline}. Several callers may race to create the same name: the loser is told so.
     *
     * @return false when a Job of that name exists already
     */
    boolean createListing(MigrationTarget target, String name, Map<String, String> labels, Duration ttl,
                          Duration activeDeadline) {
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.put(MANAGED_BY, "rewind");
        all.put(STEP, target.list().orElseThrow().job().step());
        Job job = build(target, target.list().orElseThrow().job(), name, all);
        job.getSpec().setTtlSecondsAfterFinished((int) ttl.toSeconds());
        job.getSpec().setActiveDeadlineSeconds(activeDeadline.toSeconds());
        try {
            client.batch().v1().jobs().inNamespace(target.namespace()).resource(job).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HTTP_CONFLICT) {
                return false;
            }
            throw new AdapterException("Kubernetes refused to create Job " + target.namespace() + "/" + name + ": "
                    + KubernetesErrors.describe(e), e);
        }
    }

    /** Rewind's Jobs with all of these labels, newest first. */
    List<Job> labelled(String namespace, Map<String, String> labels) {
        try {
            return newestFirst(client.batch().v1().jobs().inNamespace(namespace).withLabels(labels).list().getItems());
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot list Rewind's Jobs in " + namespace + ": " + KubernetesErrors.describe(e), e);
        }
    }

    private static Job build(MigrationTarget target, MigrationTarget.JobStep step, String name, Map<String, String> labels) {
        return new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(target.namespace()).withLabels(labels)
                .withAnnotations(new LinkedHashMap<>())
                .endMetadata()
                .withNewSpec()
                // A migration step must never be retried behind people's backs: one pod, no retries.
                .withBackoffLimit(0)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withServiceAccountName(target.serviceAccount().orElse(null))
                .addNewContainer()
                .withName(step.step())
                .withImage(step.image())
                .withCommand(step.command().isEmpty() ? null : step.command())
                .withArgs(step.args().isEmpty() ? null : step.args())
                .withEnv(env(target))
                .withEnvFrom(envFrom(target))
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** Rewind's Jobs for this target, newest first. */
    List<Job> forTarget(String namespace, String targetHash) {
        return labelled(namespace, Map.of(MANAGED_BY, "rewind", TARGET, targetHash));
    }

    private static List<Job> newestFirst(List<Job> jobs) {
        return jobs.stream()
                .sorted(Comparator.comparing((Job j) -> Optional.ofNullable(j.getMetadata().getCreationTimestamp())
                        .orElse("")).thenComparing(j -> j.getMetadata().getName()).reversed())
                .toList();
    }

    /** The Job's newest pod, if the Job controller has made one. */
    Optional<Pod> newestPod(String namespace, String jobName) {
        try {
            return client.pods().inNamespace(namespace).withLabel(JOB_NAME, jobName).list().getItems().stream()
                    .max(Comparator.comparing(p -> Optional.ofNullable(p.getMetadata().getCreationTimestamp()).orElse("")));
        } catch (KubernetesClientException e) {
            return Optional.empty();
        }
    }

    /** "Last lines of pod X:\n…", or why they cannot be shown. */
    String logTail(String namespace, String jobName) {
        Optional<Pod> pod = newestPod(namespace, jobName);
        if (pod.isEmpty()) {
            return "Job " + jobName + " has no pod whose log could be read";
        }
        String podName = pod.get().getMetadata().getName();
        try {
            String log = client.pods().inNamespace(namespace).withName(podName).withReadyWaitTimeout(LOG_WAIT_MILLIS)
                    .tailingLines(LOG_LINES).getLog();
            if (log == null || log.isBlank()) {
                return "pod " + podName + " wrote nothing to its log";
            }
            return "last lines of pod " + podName + ":\n" + log.stripTrailing();
        } catch (KubernetesClientException e) {
            return "the log of pod " + podName + " could not be read: " + KubernetesErrors.describe(e);
        }
    }

    /**
     * The whole log of the Job's newest pod (up to 64 KiB), for a listing whose every line matters.
     *
     * @throws AdapterException saying why it cannot be read: no pod, or the API server's reason
     */
    String log(String namespace, String jobName) {
        Pod pod = newestPod(namespace, jobName).orElseThrow(() -> new AdapterException("Job " + jobName
                + " has no pod whose log could be read"));
        String podName = pod.getMetadata().getName();
        try {
            String log = client.pods().inNamespace(namespace).withName(podName).withReadyWaitTimeout(LOG_WAIT_MILLIS)
                    .limitBytes(LOG_LIMIT_BYTES).getLog();
            return log == null ? "" : log;
        } catch (KubernetesClientException e) {
            throw new AdapterException("the log of pod " + podName + " could not be read: " + KubernetesErrors.describe(e), e);
        }
    }

    /** What keeps a Job's pod from running: "pod X is waiting: ImagePullBackOff (Back-off pulling image …)". */
    String podState(String namespace, String jobName) {
        Optional<Pod> pod = newestPod(namespace, jobName);
        if (pod.isEmpty()) {
            return "no pod has been created for it yet (quota, admission or scheduling?)";
        }
        List<String> waiting = new ArrayList<>();
        if (pod.get().getStatus() != null && pod.get().getStatus().getContainerStatuses() != null) {
            for (ContainerStatus cs : pod.get().getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null) {
                    waiting.add(cs.getState().getWaiting().getReason() + (cs.getState().getWaiting().getMessage() == null
                            ? "" : " (" + cs.getState().getWaiting().getMessage() + ")"));
                }
            }
        }
        String phase = pod.get().getStatus() == null ? "Unknown" : pod.get().getStatus().getPhase();
        return "pod " + pod.get().getMetadata().getName() + " is " + (waiting.isEmpty() ? String.valueOf(phase)
                : "waiting: " + String.join(", ", waiting));
    }

    ScalableResource<Job> job(String namespace, String name) {
        return client.batch().v1().jobs().inNamespace(namespace).withName(name);
    }

    private static List<EnvVar> env(MigrationTarget target) {
        List<EnvVar> env = new ArrayList<>();
        target.env().forEach((name, value) -> {
            EnvVarBuilder var = new EnvVarBuilder().withName(name);
            value.literal().ifPresent(var::withValue);
            value.from().ifPresent(ref -> {
                if (ref.kind() == MigrationTarget.Reference.Kind.SECRET) {
                    var.withNewValueFrom().withNewSecretKeyRef().withName(ref.name()).withKey(ref.key().orElseThrow())
                            .endSecretKeyRef().endValueFrom();
                } else {
                    var.withNewValueFrom().withNewConfigMapKeyRef().withName(ref.name()).withKey(ref.key().orElseThrow())
                            .endConfigMapKeyRef().endValueFrom();
                }
            });
            env.add(var.build());
        });
        return env.isEmpty() ? null : env;
    }

    private static List<EnvFromSource> envFrom(MigrationTarget target) {
        List<EnvFromSource> sources = target.envFrom().stream().map(ref -> ref.kind() == MigrationTarget.Reference.Kind.SECRET
                ? new EnvFromSourceBuilder().withNewSecretRef().withName(ref.name()).endSecretRef().build()
                : new EnvFromSourceBuilder().withNewConfigMapRef().withName(ref.name()).endConfigMapRef().build()).toList();
        return sources.isEmpty() ? null : sources;
    }
}
