package dev.rewind.adapter.migration;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.testing.KubernetesWorld;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The database-migration adapter against the mock API server and its stand-in Job controller. */
class DatabaseMigrationAdapterIT extends RollbackAdapterContract {

    private static final String IMAGE = "shop/payments-migrate:1.4.2";
    private static final String FAILURE_LOG = String.join("\n",
            "connecting to payments-db:5432", "pg_dump: error: connection to server failed: FATAL: password authentication failed");

    private KubernetesWorld world;
    private DatabaseMigrationAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        world.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata()
                .build()).create();
        adapter = new DatabaseMigrationAdapter(world.newClient());
    }

    @AfterEach
    void close() {
        world.close();
    }

    @Override
    protected RollbackAdapter adapter() {
        return adapter;
    }

    @Override
    protected Target target() {
        return target(Map.of());
    }

    private static Target target(Map<String, Object> extra) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("namespace", "shop");
        spec.put("database", "payments");
        spec.put("backup", Map.of("image", IMAGE, "command", List.of("backup-db", "--to", "s3://backups/payments")));
        spec.put("rollback", Map.of("image", IMAGE, "command", List.of("migrate", "down", "1")));
        spec.put("serviceAccount", "payments-migrator");
        spec.put("envFrom", List.of(Map.of("secret", "payments-db")));
        spec.put("env", Map.of("DB_HOST", "payments-db", "DB_PASSWORD", Map.of("secret", "payments-db", "key", "password")));
        spec.putAll(extra);
        return new Target(DatabaseMigrationAdapter.TYPE, spec);
    }

    @Override
    protected Target missingTarget() {
        return new Target(DatabaseMigrationAdapter.TYPE, Map.of("namespace", "nosuch",
                "backup", Map.of("image", IMAGE, "command", "backup-db"),
                "rollback", Map.of("image", IMAGE, "command", "migrate-down")));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(chosen.id()).isEqualTo(DatabaseMigrationAdapter.PREVIOUS);
        assertThat(world.jobs("shop")).extracting(job -> job.getMetadata().getLabels().get(MigrationJobs.STEP) + " "
                + job.getStatus().getConditions().get(0).getType())
                .containsExactlyInAnyOrder("backup Complete", "rollback Complete");
    }

    /** Every Job created is a change: a re-run must find the ones it made. */
    @Override
    protected long changesSeen() {
        return world.jobs("shop").size();
    }

    @Test
    void describeMarksTheStepDestructiveAndOffersOneMigrationBack() {
        TargetState state = adapter.describe(target());

        assertThat(state.target()).isEqualTo("database-migration database payments in namespace shop");
        assertThat(state.current().label()).isEqualTo("schema as deployed");
        assertThat(state.candidates()).extracting(Revision::id).containsExactly("previous");
        assertThat(state.previous().orElseThrow().label()).isEqualTo("one migration back");
        assertThat(state.warnings()).contains("database-migration is destructive: data written since the migration may be lost");
        assertThat(state.facts()).anyMatch(f -> f.name().equals("Plan") && f.value().contains("only if it succeeds"));
        assertThat(world.jobs("shop")).as("describe changes nothing").isEmpty();
    }

    @Test
    void theRollbackJobStartsOnlyAfterTheBackupSucceeded() {
        List<String> steps = new CopyOnWriteArrayList<>();
        Outcome outcome = adapter.execute(target(), Change.to("rb-order000001", "previous"), steps::add, Duration.ofSeconds(20));

        String backup = "rewind-rb-order000001-backup-";
        assertThat(outcome.summary()).startsWith("Rolled back one migration of database payments in namespace shop: backup Job "
                + backup);
        int backupDone = indexOf(steps, "Backup Job shop/" + backup, ": succeeded");
        int rollbackCreated = indexOf(steps, "Rollback: Job shop/rewind-rb-order000001-rollback-", "created");
        assertThat(backupDone).isGreaterThanOrEqualTo(0);
        assertThat(rollbackCreated).isGreaterThan(backupDone);
        assertThat(outcome.recorded()).containsKeys("backupJob", "rollbackJob");
    }

    @Test
    void theJobsRunTheAppsImageWithItsCredentialsAndNoRetries() {
        adapter.execute(target(), Change.to("rb-spec0000001", "previous"), Progress.NONE, Duration.ofSeconds(20));

        Job rollback = world.jobs("shop").stream().filter(j -> j.getMetadata().getName().contains("-rollback-"))
                .findFirst().orElseThrow();
        assertThat(rollback.getMetadata().getName()).matches("rewind-rb-spec0000001-rollback-[0-9a-f]{6}");
        assertThat(rollback.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "rewind")
                .containsEntry(MigrationJobs.RUN, "rb-spec0000001");
        assertThat(rollback.getSpec().getBackoffLimit()).isZero();
        var pod = rollback.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getServiceAccountName()).isEqualTo("payments-migrator");
        var container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(IMAGE);
        assertThat(container.getCommand()).containsExactly("migrate", "down", "1");
        assertThat(container.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("payments-db");
        assertThat(container.getEnv()).anyMatch(e -> e.getName().equals("DB_PASSWORD")
                && e.getValueFrom().getSecretKeyRef().getKey().equals("password"));
    }

    @Test
    void aFailedBackupStopsTheRunWithTheReasonAndTheLogAndNoRollbackJob() {
        world.jobFails("backup-db", FAILURE_LOG);

        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-badbackup01", "previous"), Progress.NONE,
                Duration.ofSeconds(20)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Backup Job shop/rewind-rb-badbackup01-backup-")
                .hasMessageContaining("failed: BackoffLimitExceeded (Job has reached the specified backoff limit)")
                .hasMessageContaining("the rollback was not run and nothing was changed")
                .hasMessageContaining("Last lines of pod rewind-rb-badbackup01-backup-")
                .hasMessageContaining("password authentication failed");
        assertThat(world.jobs("shop")).extracting(j -> j.getMetadata().getLabels().get(MigrationJobs.STEP))
                .containsExactly("backup");
        assertThat(adapter.verify(target()).status()).isEqualTo(Health.Status.UNHEALTHY);
    }

    @Test
    void aFailedRollbackPointsAtTheBackup() {
        world.jobFails("migrate down", "applying 0042_add_refunds down\nERROR: cannot drop column refunds.amount: view depends on it");

        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-badroll0001", "previous"), Progress.NONE,
                Duration.ofSeconds(20)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Rollback Job shop/rewind-rb-badroll0001-rollback-")
                .hasMessageContaining("the backup from Job rewind-rb-badroll0001-backup-")
                .hasMessageContaining("cannot drop column refunds.amount");
        assertThat(adapter.verify(target()).detail()).contains("rollback Job failed");
    }

    @Test
    void theListJobRunsFirstAndItsOutputIsReported() {
        world.jobPrints("migrate status", "0042_add_refunds (applied 2026-11-24 13:58)");
        List<String> steps = new CopyOnWriteArrayList<>();

        adapter.execute(target(Map.of("list", Map.of("image", IMAGE, "command", List.of("migrate", "status")))),
                Change.to("rb-list0000001", "previous"), steps::add, Duration.ofSeconds(20));

        int listed = indexOf(steps, "Migrations that would be reverted", "0042_add_refunds");
        assertThat(listed).isGreaterThanOrEqualTo(0);
        assertThat(indexOf(steps, "Backup: Job", "created")).isGreaterThan(listed);
        assertThat(world.jobs("shop")).hasSize(3);
    }

    @Test
    void aJobThatNeverStartsFailsWithWhatItsPodIsWaitingFor() {
        world.jobHangs("backup-db");

        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-hang0000001", "previous"), Progress.NONE,
                Duration.ofSeconds(1)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("did not finish in time")
                .hasMessageContaining("waiting: ImagePullBackOff")
                .hasMessageContaining("kubectl -n shop logs job/rewind-rb-hang0000001-backup-");
    }

    @Test
    void validateNamesTheMissingPart() {
        assertThatThrownBy(() -> adapter.validate(new Target(DatabaseMigrationAdapter.TYPE, Map.of("namespace", "shop",
                "rollback", Map.of("image", IMAGE, "command", "down")))))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("needs 'backup'");
        assertThatThrownBy(() -> adapter.validate(target(Map.of("rollback", Map.of("command", "down")))))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("'rollback.image' is required");
        assertThatThrownBy(() -> adapter.validate(target(Map.of("env", Map.of("DB_PASSWORD", Map.of("secret", "db"))))))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("env.DB_PASSWORD");
        assertThatThrownBy(() -> adapter.validate(target(Map.of("list", Map.of("image", IMAGE, "command", "status",
                "freshFor", "soon")))))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("'list.freshFor' 'soon' is not a duration");
    }

    private static int indexOf(List<String> steps, String start, String contains) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).startsWith(start) && steps.get(i).contains(contains)) {
                return i;
            }
        }
        return -1;
    }
}
