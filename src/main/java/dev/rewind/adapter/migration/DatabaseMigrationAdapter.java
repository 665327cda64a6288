package dev.rewind.adapter.migration;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code database-migration}: reverts the latest schema migration by running the app's own images as
 * Kubernetes Jobs — first a backup, and only when it succeeds the rollback — so Rewind itself never
 * holds database credentials. Optionally a listing Job first reports which migrations would be
 * reverted. Destructive by nature: the card says so, and services with this step need two approvals
 * unless configured otherwise.
 */
public final class DatabaseMigrationAdapter implements RollbackAdapter {

    public static final String TYPE = "database-migration";
    /** The one revision this adapter can go to. */
    public static final String PREVIOUS = "previous";
    static final String DEPLOYED = "deployed";
    static final String DESTRUCTIVE = "database-migration is destructive: data written since the migration may be lost";

    private final KubernetesClient client;
    private final MigrationJobs jobs;

    public DatabaseMigrationAdapter(KubernetesClient client) {
        this.client = client;
        this.jobs = new MigrationJobs(client);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Target target) {
        MigrationTarget.of(target);
    }

    @Override
    public TargetState describe(Target target) {
        MigrationTarget migration = MigrationTarget.of(target);
        requireNamespace(migration.namespace());
        List<Job> previous = jobs.forTarget(migration.namespace(), MigrationTarget.shortHash(target));
        List<TargetState.Fact> facts = new ArrayList<>();
        facts.add(new TargetState.Fact("Plan", "backup Job (" + migration.backup().describe() + "), then, only if it "
                + "succeeds, rollback Job (" + migration.rollback().describe() + ")"));
        facts.add(new TargetState.Fact("Last Rewind run", lastRun(previous).orElse("none")));
        List<String> warnings = new ArrayList<>();
        warnings.add(DESTRUCTIVE);
        migration.list().ifPresent(list -> warnings.add("The migrations that would be reverted are listed in the run's "
                + "progress: the list Job (" + list.describe() + ") runs first, before the backup"));
        previous.stream().filter(job -> !JobStatus.of(job).finished()).forEach(job -> warnings.add("Job "
                + job.getMetadata().getName() + " from an earlier rollback is still " + JobStatus.of(job).detail()));
        Revision current = new Revision(DEPLOYED, "schema as deployed", List.of(), Optional.empty(), Optional.empty(),
                Map.of("database schema", "as deployed"));
        Map<String, String> back = new LinkedHashMap<>();
        back.put("database schema", "one migration back");
        back.put("backup Job (runs first)", migration.backup().describe());
        back.put("rollback Job", migration.rollback().describe());
        Revision candidate = new Revision(PREVIOUS, "one migration back", List.of(migration.rollback().image()),
                Optional.empty(), Optional.empty(), back);
        return new TargetState(TYPE + " " + migration.describe(), current, List.of(candidate), facts, warnings);
    }

    @Override
    public Outcome execute(Target target, Change change, Progress progress, Duration timeout) {
        MigrationTarget migration = MigrationTarget.of(target);
        if (!PREVIOUS.equals(change.revisionId())) {
            throw new AdapterException("revision " + change.revisionId() + " is not one " + TYPE + " can go to: it "
                    + "reverts exactly one migration (revision '" + PREVIOUS + "')");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String hash = MigrationTarget.shortHash(target);
        if (migration.list().isPresent()) {
            String list = run(migration, migration.list().get(), hash, change, progress, deadline, "Listing",
                    "nothing was changed");
            progress.step("Migrations that would be reverted, as the list Job reports them: "
                    + jobs.logTail(migration.namespace(), list));
        }
        String backup = run(migration, migration.backup(), hash, change, progress, deadline, "Backup",
                "the rollback was not run and nothing was changed");
        String rollback = run(migration, migration.rollback(), hash, change, progress, deadline, "Rollback",
                "the schema may be partly rolled back; the backup from Job " + backup + " succeeded and is there to "
                        + "restore from");
        return new Outcome("Rolled back one migration of " + migration.describe() + ": backup Job " + backup
                + " and rollback Job " + rollback + " succeeded", Map.of("backupJob", backup, "rollbackJob", rollback));
    }

    @Override
    public Health verify(Target target) {
        MigrationTarget migration = MigrationTarget.of(target);
        List<Job> previous = jobs.forTarget(migration.namespace(), MigrationTarget.shortHash(target));
        if (previous.isEmpty()) {
            return Health.healthy("Rewind has run no migration rollback for " + migration.describe());
        }
        String run = previous.get(0).getMetadata().getLabels().get(MigrationJobs.RUN);
        Map<String, JobStatus> steps = new LinkedHashMap<>();
        for (Job job : previous) {
            if (run.equals(job.getMetadata().getLabels().get(MigrationJobs.RUN))) {
                steps.putIfAbsent(job.getMetadata().getLabels().get(MigrationJobs.STEP), JobStatus.of(job));
            }
        }
        String detail = steps.entrySet().stream().map(e -> e.getKey() + " Job " + e.getValue().detail())
                .collect(Collectors.joining(", "));
        if (steps.values().stream().anyMatch(s -> s.state() == JobStatus.State.FAILED)) {
            return Health.unhealthy(detail);
        }
        JobStatus backup = steps.get(migration.backup().step());
        JobStatus rollback = steps.get(migration.rollback().step());
        if (backup != null && rollback != null && backup.state() == JobStatus.State.SUCCEEDED
                && rollback.state() == JobStatus.State.SUCCEEDED) {
            return Health.healthy("backup and rollback Jobs of run " + run + " succeeded");
        }
        return Health.progressing(detail);
    }

    /**
     * Creates the step's Job (or finds the one this run already created) and follows it to its end.
     *
     * @return the Job's name
     * @throws AdapterException with the Job's reason and the tail of its pod's log when it failed or did not finish
     */
    private String run(MigrationTarget migration, MigrationTarget.JobStep step, String hash, Change change,
                       Progress progress, long deadline, String stage, String consequence) {
        String namespace = migration.namespace();
        String name = MigrationJobs.name(change.runId(), step, hash);
        String title = stage + " Job " + namespace + "/" + name;
        if (jobs.find(namespace, name).isPresent()) {
            progress.step(title + " already exists for run " + change.runId() + "; following it instead of starting another");
        } else {
            jobs.create(migration, step, name, hash, change);
            progress.step(stage + ": Job " + namespace + "/" + name + " created (" + step.describe() + ")");
        }
        Optional<JobStatus> end = new JobWatch(jobs.job(namespace, name), title, progress).await(deadline);
        if (end.isEmpty()) {
            throw new AdapterException(title + " did not finish in time; " + jobs.podState(namespace, name)
                    + ". It was left running: follow it with kubectl -n " + namespace + " logs job/" + name);
        }
        if (end.get().state() == JobStatus.State.FAILED) {
            throw new AdapterException(title + " " + end.get().detail() + "; " + consequence + ". "
                    + capitalised(jobs.logTail(namespace, name)));
        }
        return name;
    }

    private void requireNamespace(String namespace) {
        try {
            if (client.namespaces().withName(namespace).get() == null) {
                throw new AdapterException("namespace " + namespace + " not found");
            }
        } catch (KubernetesClientException e) {
            throw new AdapterException("cannot read namespace " + namespace + ": " + KubernetesErrors.describe(e), e);
        }
    }

    /** "run rb-…: backup succeeded in 42 s, rollback failed: BackoffLimitExceeded (…)". */
    private static Optional<String> lastRun(List<Job> previous) {
        if (previous.isEmpty()) {
            return Optional.empty();
        }
        String run = previous.get(0).getMetadata().getLabels().get(MigrationJobs.RUN);
        List<String> steps = new ArrayList<>();
        for (int i = previous.size() - 1; i >= 0; i--) {
            Job job = previous.get(i);
            if (run.equals(job.getMetadata().getLabels().get(MigrationJobs.RUN))) {
                steps.add(job.getMetadata().getLabels().get(MigrationJobs.STEP) + " " + JobStatus.of(job).detail());
            }
        }
        return Optional.of("run " + run + ": " + String.join(", ", steps));
    }

    private static String capitalised(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
