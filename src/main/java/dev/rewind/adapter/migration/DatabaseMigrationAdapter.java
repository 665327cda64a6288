package dev.rewind.adapter.migration;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.ApiPermission;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.config.OneOrMore;
import dev.rewind.config.Required;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.adapter.kubernetes.KubernetesErrors;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
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
 * holds database credentials. Destructive by nature: the card says so, and services with this step
 * need two approvals unless configured otherwise.
 * <p>
 * With a {@code list} Job configured, the card shows the migrations that would be reverted. Only a Job
 * can tell (Rewind has no database access), and {@code describe} must not wait for one: the card is
 * drawn within a fraction of a second. So here {@code describe} makes one exception to "reads only":
 * when no current listing exists for what is deployed now, it creates that one listing Job and says
 * so, without waiting; the next describe (a refresh, the approval) shows its output. The exception is
 * safe because the Job only reads the schema — it changes neither the app nor its data — and its name
 * is derived from the target's state, so however many describes run, at most one listing per state and
 * freshness window is created (see {@link MigrationListing}). A run reuses that listing when it is
 * fresh, and otherwise lists for itself before the backup.
 */
public final class DatabaseMigrationAdapter implements RollbackAdapter {

    public static final String TYPE = "database-migration";
    /** The one revision this adapter can go to. */
    public static final String PREVIOUS = "previous";
    static final String DEPLOYED = "deployed";
    static final String DESTRUCTIVE = "database-migration is destructive: data written since the migration may be lost";

    private final KubernetesClient client;
    private final MigrationJobs jobs;
    private final MigrationListing listing;

    public DatabaseMigrationAdapter(KubernetesClient client) {
        this(client, Clock.systemUTC());
    }

    /** @param clock tells how old a listing is, against the Jobs' timestamps */
    public DatabaseMigrationAdapter(KubernetesClient client, Clock clock) {
        this.client = client;
        this.jobs = new MigrationJobs(client);
        this.listing = new MigrationListing(client, jobs, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean destructive() {
        return true;
    }

    /**
     * The {@code target:} block: {@code {type: database-migration, namespace: shop, backup: {image: IMAGE,
     * command: [..]}, rollback: {image: IMAGE, command: [..]}}}, optionally a {@code list:} Job that lists
     * the migrations a rollback would revert (its output good for {@code freshFor}), the app's
     * {@code database} and {@code deployment}, a {@code serviceAccount}, and what the Jobs' pods get from
     * the app's own Secrets and ConfigMaps ({@code envFrom}, {@code env}).
     */
    public record Spec(@Required String namespace, String database, String deployment, Job backup, Job rollback,
                       Listing list, String serviceAccount, List<Source> envFrom, Map<String, Object> env) {

        /** One Job's container: the app's image and what it runs. */
        public record Job(String image, @OneOrMore List<String> command, @OneOrMore List<String> args) {
        }

        /** The listing Job, and how long its list stays good (read as a duration by the adapter). */
        public record Listing(String image, @OneOrMore List<String> command, @OneOrMore List<String> args,
                              String freshFor) {
            Job job() {
                return new Job(image, command, args);
            }
        }

        /** {@code {secret: NAME}} or {@code {configMap: NAME}}. */
        public record Source(String secret, String configMap) {
        }
    }

    @Override
    public Optional<Class<? extends Record>> specType() {
        return Optional.of(Spec.class);
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
        Optional<Duration> readAgainIn = Optional.empty();
        if (migration.list().isPresent()) {
            MigrationListing.Listing listed = this.listing.read(migration, target, previous);
            facts.add(listed.fact());
            readAgainIn = listed.readAgainIn();
        }
        List<String> warnings = new ArrayList<>();
        warnings.add(DESTRUCTIVE);
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
        TargetState state = new TargetState(TYPE + " " + migration.describe(), current, List.of(candidate), facts, warnings);
        return readAgainIn.map(state::refreshIn).orElse(state);
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
            listMigrations(migration, target, hash, change, progress, deadline);
        }
        String backup = run(migration, migration.backup(), hash, change, progress, deadline, "Backup",
                "the rollback was not run and nothing was changed");
        String rollback = run(migration, migration.rollback(), hash, change, progress, deadline, "Rollback",
                "the schema may be partly rolled back; the backup from Job " + backup + " succeeded and is there to "
                        + "restore from");
        return new Outcome("Rolled back one migration of " + migration.describe() + ": backup Job " + backup
                + " and rollback Job " + rollback + " succeeded", Map.of("backupJob", backup, "rollbackJob", rollback));
    }

    /** Runs and follows the listing, backup and rollback Jobs, reads their pods and logs, and the app's Deployment. */
    @Override
    public List<ApiPermission> permissions(Target target) {
        Spec spec = target.as(Spec.class);
        String namespace = spec.namespace();
        List<ApiPermission> needed = new java.util.ArrayList<>(List.of(ApiPermission.core("get", "namespaces", namespace),
                new ApiPermission("create", "batch", "jobs", namespace), new ApiPermission("get", "batch", "jobs", namespace),
                new ApiPermission("list", "batch", "jobs", namespace), new ApiPermission("watch", "batch", "jobs", namespace),
                ApiPermission.core("list", "pods", namespace), ApiPermission.core("get", "pods/log", namespace)));
        if (spec.deployment() != null) {
            needed.add(ApiPermission.apps("get", "deployments", namespace));
        }
        return needed;
    }

    @Override
    public Optional<String> notDrillable(Target target) {
        return Optional.of("Rewind takes a schema one migration back but does not apply it again (your deploy does): a drill would leave the database one migration back");
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
     * Reports the migrations the rollback will revert: from the listing the card started when it is
     * fresh (following it if it still runs), else from a listing Job of this run's own. Skipped when
     * this run's backup already exists: the list was reported when the run began, and listing now could
     * show a schema this run has already rolled back.
     */
    private void listMigrations(MigrationTarget migration, Target target, String hash, Change change, Progress progress,
                                long deadline) {
        String namespace = migration.namespace();
        if (jobs.find(namespace, MigrationJobs.name(change.runId(), migration.backup(), hash)).isPresent()) {
            progress.step("Listing skipped: the backup Job of run " + change.runId() + " exists, so the migrations "
                    + "were listed when the run began");
            return;
        }
        String consequence = "nothing was changed";
        Optional<Job> reusable = listing.reusable(migration, target, jobs.forTarget(namespace, hash));
        String name;
        if (reusable.isPresent()) {
            name = reusable.get().getMetadata().getName();
            String title = "Listing Job " + namespace + "/" + name;
            if (JobStatus.of(reusable.get()).finished()) {
                progress.step(title + " listed them " + listing.finishedAgo(reusable.get())
                        + " for what is deployed now; reusing its list instead of listing again");
            } else {
                progress.step(title + ", started for the card, is still running; following it instead of starting another");
                follow(namespace, name, title, progress, deadline, consequence);
            }
        } else {
            name = run(migration, migration.list().get().job(), hash, change, progress, deadline, "Listing", consequence);
        }
        String migrations;
        try {
            migrations = MigrationListing.summary(jobs.log(namespace, name));
        } catch (AdapterException e) {
            migrations = "(" + e.getMessage() + ")";
        }
        progress.step("Migrations that would be reverted, as listing Job " + name + " reports them:\n" + migrations);
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
        follow(namespace, name, title, progress, deadline, consequence);
        return name;
    }

    /**
     * Follows a Job to its end.
     *
     * @throws AdapterException with the Job's reason and the tail of its pod's log when it failed or did not finish
     */
    private void follow(String namespace, String name, String title, Progress progress, long deadline,
                        String consequence) {
        Optional<JobStatus> end = new JobWatch(jobs.job(namespace, name), title, progress).await(deadline);
        if (end.isEmpty()) {
            throw new AdapterException(title + " did not finish in time; " + jobs.podState(namespace, name)
                    + ". It was left running: follow it with kubectl -n " + namespace + " logs job/" + name);
        }
        if (end.get().state() == JobStatus.State.FAILED) {
            throw new AdapterException(title + " " + end.get().detail() + "; " + consequence + ". "
                    + capitalised(jobs.logTail(namespace, name)));
        }
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
