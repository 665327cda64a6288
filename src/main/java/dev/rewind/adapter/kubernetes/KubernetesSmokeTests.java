package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.SmokeTests;
import dev.rewind.config.DurationText;
import dev.rewind.config.ServiceConfig;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A service's smoke test as a Kubernetes Job ({@code batch/v1}): named after the run, no retries
 * ({@code backoffLimit: 0}), cleaned up an hour after it ends, labelled as Rewind's; followed until its
 * Complete or Failed condition or the timeout.
 */
public final class KubernetesSmokeTests implements SmokeTests {

    private static final Duration POLL = Duration.ofMillis(250);

    private final KubernetesClient client;

    public KubernetesSmokeTests(KubernetesClient client) {
        this.client = client;
    }

    /** What running and following a smoke-test Job needs in its namespace. */
    public static List<ApiPermission> permissions(ServiceConfig.SmokeJob smoke) {
        return List.of(new ApiPermission("create", "batch", "jobs", smoke.namespace()),
                new ApiPermission("get", "batch", "jobs", smoke.namespace()));
    }

    @Override
    public Result run(String runId, String service, ServiceConfig.SmokeJob smoke) {
        String name = name(runId);
        long started = System.nanoTime();
        try {
            Job job = client.batch().v1().jobs().inNamespace(smoke.namespace()).withName(name).get();
            if (job == null) {
                job = client.batch().v1().jobs().inNamespace(smoke.namespace()).resource(job(name, runId, service, smoke)).create();
            }
            long deadline = started + smoke.timeout().toNanos();
            while (System.nanoTime() < deadline) {
                Optional<Result> ended = ended(name, job);
                if (ended.isPresent()) {
                    return ended.get();
                }
                Thread.sleep(POLL.toMillis());
                job = client.batch().v1().jobs().inNamespace(smoke.namespace()).withName(name).get();
                if (job == null) {
                    return new Result(false, "smoke test " + name + " was deleted before it finished");
                }
            }
            return new Result(false, "smoke test " + name + " did not finish in " + DurationText.format(smoke.timeout()));
        } catch (KubernetesClientException e) {
            return new Result(false, "smoke test " + name + " could not run: " + KubernetesErrors.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "smoke test " + name + " was interrupted");
        }
    }

    private static Optional<Result> ended(String name, Job job) {
        if (job.getStatus() == null) {
            return Optional.empty();
        }
        List<JobCondition> conditions = Optional.ofNullable(job.getStatus().getConditions()).orElse(List.of());
        for (JobCondition condition : conditions) {
            if ("True".equals(condition.getStatus()) && "Failed".equals(condition.getType())) {
                int failed = Optional.ofNullable(job.getStatus().getFailed()).orElse(1);
                return Optional.of(new Result(false, "smoke test " + name + " failed: " + failed + " pod" + (failed == 1 ? "" : "s")
                        + " failed" + Optional.ofNullable(condition.getMessage()).map(m -> " (" + m + ")").orElse("")));
            }
            if ("True".equals(condition.getStatus()) && "Complete".equals(condition.getType())) {
                return Optional.of(new Result(true, "smoke test " + name + " passed"));
            }
        }
        if (Optional.ofNullable(job.getStatus().getSucceeded()).orElse(0) > 0) {
            return Optional.of(new Result(true, "smoke test " + name + " passed"));
        }
        return Optional.empty();
    }

    /** {@code rewind-smoke-<run id>}: a DNS label, the same for the same run, so a restarted run finds its Job. */
    static String name(String runId) {
        return "rewind-smoke-" + runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceFirst("^rb-", "");
    }

    private static Job job(String name, String runId, String service, ServiceConfig.SmokeJob smoke) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(smoke.namespace())
                .addToLabels("app.kubernetes.io/managed-by", "rewind").addToLabels("rewind.dev/run", runId)
                .addToLabels("rewind.dev/purpose", "smoke-test").endMetadata()
                .withNewSpec().withBackoffLimit(0).withTtlSecondsAfterFinished(3600)
                .withNewTemplate().withNewMetadata().addToLabels("app.kubernetes.io/managed-by", "rewind")
                .addToLabels("rewind.dev/run", runId).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("smoke").withImage(smoke.image())
                .withCommand(smoke.command().isEmpty() ? null : smoke.command())
                .withArgs(smoke.args().isEmpty() ? null : smoke.args())
                .addNewEnv().withName("REWIND_RUN").withValue(runId).endEnv()
                .addNewEnv().withName("REWIND_SERVICE").withValue(service).endEnv()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }
}
