package dev.rewind.adapter.migration;

import dev.rewind.adapter.Change;
import dev.rewind.adapter.Progress;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.testing.KubernetesWorld;
import dev.rewind.testing.TestClock;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The card's list of migrations to revert: started by describe, shown once listed, reused by the run. */
class DatabaseMigrationListingIT {

    private static final String IMAGE = "shop/payments-migrate:1.4.2";
    private static final String MIGRATIONS = "0042_add_refunds (applied 2026-11-24 13:58)\n0041_index_orders (applied 2026-11-20 09:12)\n";

    private KubernetesWorld world;
    private TestClock clock;
    private DatabaseMigrationAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        world.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata()
                .build()).create();
        clock = new TestClock();
        adapter = new DatabaseMigrationAdapter(world.newClient(), clock);
        world.jobPrints("migrate status", MIGRATIONS);
    }

    @AfterEach
    void close() {
        world.close();
    }

    private static Target target(Map<String, Object> extra) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("namespace", "shop");
        spec.put("database", "payments");
        spec.put("backup", Map.of("image", IMAGE, "command", List.of("backup-db")));
        spec.put("rollback", Map.of("image", IMAGE, "command", List.of("migrate", "down", "1")));
        spec.put("list", Map.of("image", IMAGE, "command", List.of("migrate", "status")));
        spec.putAll(extra);
        return new Target(DatabaseMigrationAdapter.TYPE, spec);
    }

    private static Target target() {
        return target(Map.of());
    }

    private String migrationsFact(Target target) {
        TargetState state = adapter.describe(target);
        return state.facts().stream().filter(f -> f.name().equals("Migrations to revert")).findFirst().orElseThrow().value();
    }

    private List<Job> listingJobs() {
        return world.jobs("shop").stream().filter(j -> j.getMetadata().getName().startsWith("rewind-list-")).toList();
    }

    private void awaitListingsFinished(int count) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Job> jobs = listingJobs();
            assertThat(jobs).as("listing Jobs").hasSize(count);
            assertThat(jobs).as("listing Jobs, all finished").allMatch(j -> JobStatus.of(j).finished());
        });
    }

    @Test
    void theFirstDescribeStartsOneListingJobAndSaysSoWithoutWaiting() {
        world.pauseController(true);

        String fact = migrationsFact(target());

        assertThat(listingJobs()).hasSize(1);
        Job job = listingJobs().get(0);
        assertThat(fact).isEqualTo("being listed by Job " + job.getMetadata().getName()
                + "; the card shows them when it finishes");
        assertThat(job.getMetadata().getName()).matches("rewind-list-[0-9a-f]{6}-[0-9a-f]{8}-[0-9]+");
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).as("cleans up after 2 × 15m").isEqualTo(1800);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(600L);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
                .containsExactly("migrate", "status");
        assertThat(job.getMetadata().getLabels()).containsEntry(MigrationJobs.STEP, "list")
                .doesNotContainKey(MigrationJobs.TARGET).doesNotContainKey(MigrationJobs.RUN);
    }

    @Test
    void describesWhileTheListingRunsStartNoOther() {
        world.jobHangs("migrate status");
        String first = migrationsFact(target());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(JobStatus.of(listingJobs().get(0)).state())
                .isEqualTo(JobStatus.State.RUNNING));

        List<String> concurrent = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> migrationsFact(target())))
                .toList().stream().map(CompletableFuture::join).toList();

        assertThat(concurrent).containsOnly(first);
        assertThat(listingJobs()).hasSize(1);
    }

    @Test
    void concurrentFirstDescribesCreateOneListingJob() {
        world.pauseController(true);

        List<String> facts = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> migrationsFact(target())))
                .toList().stream().map(CompletableFuture::join).toList();

        assertThat(listingJobs()).hasSize(1);
        assertThat(facts).allMatch(f -> f.startsWith("being listed by Job " + listingJobs().get(0).getMetadata().getName()));
    }

    @Test
    void onceTheListingCompletedDescribeShowsTheMigrations() {
        migrationsFact(target());
        awaitListingsFinished(1);

        String fact = migrationsFact(target());

        assertThat(fact).startsWith("listed by Job " + listingJobs().get(0).getMetadata().getName())
                .endsWith(":\n0042_add_refunds (applied 2026-11-24 13:58)\n0041_index_orders (applied 2026-11-20 09:12)");
        assertThat(listingJobs()).as("no second listing").hasSize(1);
    }

    @Test
    void aNewDeployLeadsToANewListing() {
        world.deployment("shop", "payments", 1, "shop/payments:1.4.2");
        Target target = target(Map.of("deployment", "payments"));
        migrationsFact(target);
        awaitListingsFinished(1);
        String before = listingJobs().get(0).getMetadata().getName();
        assertThat(migrationsFact(target)).contains("0042_add_refunds");

        world.client().apps().deployments().inNamespace("shop").withName("payments").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop/payments:1.4.3");
            return d;
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(world.get("shop", "payments").getMetadata()
                .getAnnotations().get("deployment.kubernetes.io/revision")).as("payments' revision").isEqualTo("2"));

        String fact = migrationsFact(target);
        assertThat(fact).startsWith("being listed by Job rewind-list-").doesNotContain(before);
        assertThat(listingJobs()).hasSize(2);
    }

    @Test
    void aRollbackRunLeadsToANewListing() {
        migrationsFact(target());
        awaitListingsFinished(1);
        adapter.execute(target(), Change.to("rb-listrun0001", "previous"), Progress.NONE, Duration.ofSeconds(20));

        assertThat(migrationsFact(target())).as("the schema moved: the old list no longer holds")
                .startsWith("being listed by Job rewind-list-");
        assertThat(listingJobs()).hasSize(2);
    }

    @Test
    void aStaleListingIsReplacedByANewOne() {
        migrationsFact(target(Map.of("list", Map.of("image", IMAGE, "command", List.of("migrate", "status"), "freshFor", "5m"))));
        awaitListingsFinished(1);

        clock.advance(Duration.ofMinutes(6));

        assertThat(migrationsFact(target(Map.of("list", Map.of("image", IMAGE, "command", List.of("migrate", "status"),
                "freshFor", "5m"))))).startsWith("being listed by Job rewind-list-");
        assertThat(listingJobs()).hasSize(2);
        assertThat(listingJobs()).allMatch(j -> j.getSpec().getTtlSecondsAfterFinished() == 600);
    }

    @Test
    void aFailedListingIsReportedWithItsLastLogLine() {
        world.jobFails("migrate status", "connecting to payments-db:5432\nERROR: relation \"schema_migrations\" does not exist\n");
        migrationsFact(target());
        awaitListingsFinished(1);

        String fact = migrationsFact(target());

        assertThat(fact).startsWith("not listed: listing Job " + listingJobs().get(0).getMetadata().getName()
                        + " failed: BackoffLimitExceeded")
                .contains(": ERROR: relation \"schema_migrations\" does not exist")
                .doesNotContain("connecting to")
                .contains("Rewind lists again after 15m");
        assertThat(listingJobs()).as("not retried at every refresh").hasSize(1);
    }

    @Test
    void aFinishedListingIsReadOnceAndStaysOnTheCardAfterItsPodIsGone() {
        migrationsFact(target());
        awaitListingsFinished(1);
        assertThat(migrationsFact(target())).contains("0042_add_refunds");

        world.client().pods().inNamespace("shop").delete();

        assertThat(migrationsFact(target())).as("the log was kept, not read again").contains("0042_add_refunds");
    }

    @Test
    void longOutputIsCappedOnTheCard() {
        world.jobPrints("migrate status", IntStream.rangeClosed(1, 25).mapToObj(i -> String.format("%04d_step", 100 - i))
                .collect(Collectors.joining("\n")));
        migrationsFact(target());
        awaitListingsFinished(1);

        String fact = migrationsFact(target());

        assertThat(fact).contains("0099_step").contains("0090_step").doesNotContain("0089_step")
                .endsWith("\n… and 15 more");
    }

    @Test
    void aMissingDeploymentIsSaidOnTheCardAndTheRestOfItStands() {
        TargetState state = adapter.describe(target(Map.of("deployment", "nosuch")));

        assertThat(state.facts()).anyMatch(f -> f.name().equals("Migrations to revert")
                && f.value().equals("cannot be listed: Deployment shop/nosuch (the target's 'deployment') not found"));
        assertThat(state.previous()).isPresent();
        assertThat(world.jobs("shop")).isEmpty();
    }

    @Test
    void theRunReusesAFreshListingInsteadOfListingAgain() {
        migrationsFact(target());
        awaitListingsFinished(1);
        String listing = listingJobs().get(0).getMetadata().getName();
        List<String> steps = new CopyOnWriteArrayList<>();

        adapter.execute(target(), Change.to("rb-reuse000001", "previous"), steps::add, Duration.ofSeconds(20));

        assertThat(steps).anyMatch(s -> s.startsWith("Listing Job shop/" + listing + " listed them")
                && s.contains("reusing its list"));
        assertThat(steps).anyMatch(s -> s.equals("Migrations that would be reverted, as listing Job " + listing
                + " reports them:\n0042_add_refunds (applied 2026-11-24 13:58)\n0041_index_orders (applied 2026-11-20 09:12)"));
        assertThat(world.jobs("shop")).extracting(j -> j.getMetadata().getLabels().get(MigrationJobs.STEP))
                .containsExactlyInAnyOrder("list", "backup", "rollback");
    }

    @Test
    void theRunFollowsAListingThatIsStillRunning() {
        world.pauseController(true);
        migrationsFact(target());
        List<String> steps = new CopyOnWriteArrayList<>();

        CompletableFuture<?> run = CompletableFuture.runAsync(() -> adapter.execute(target(),
                Change.to("rb-follow00001", "previous"), steps::add, Duration.ofSeconds(20)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(steps).as("progress reported")
                .anyMatch(s -> s.contains("following it")));
        world.pauseController(false);
        run.join();

        assertThat(steps).anyMatch(s -> s.startsWith("Migrations that would be reverted") && s.contains("0042_add_refunds"));
        assertThat(listingJobs()).hasSize(1);
        assertThat(world.jobs("shop")).hasSize(3);
    }

    @Test
    void afterAFailedListingTheRunListsForItself() {
        world.jobFails("migrate status", "ERROR: connection refused");
        migrationsFact(target());
        awaitListingsFinished(1);
        world.jobPrints("migrate status", MIGRATIONS);
        List<String> steps = new CopyOnWriteArrayList<>();

        adapter.execute(target(), Change.to("rb-relist00001", "previous"), steps::add, Duration.ofSeconds(20));

        assertThat(steps).anyMatch(s -> s.startsWith("Listing: Job shop/rewind-rb-relist00001-list-"));
        assertThat(steps).anyMatch(s -> s.startsWith("Migrations that would be reverted") && s.contains("0042_add_refunds"));
    }
}
