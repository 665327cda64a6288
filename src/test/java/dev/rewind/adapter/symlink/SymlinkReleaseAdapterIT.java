package dev.rewind.adapter.symlink;

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
import dev.rewind.testing.SshReleaseWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SymlinkReleaseAdapterIT extends RollbackAdapterContract {

    private static final String OLDEST = "20261124100000";
    private static final String PREVIOUS = "20261124120000";
    private static final String LATEST = "20261124140203";
    private static final String RESTART = "touch tmp/restart.txt";

    private SshReleaseWorld world;
    private SshReleaseWorld.Host app1;
    private SshReleaseWorld.Host app2;
    private SymlinkReleaseAdapter adapter;

    @BeforeEach
    void world() {
        world = new SshReleaseWorld();
        app1 = deployed(world.host("app1"));
        app2 = deployed(world.host("app2"));
        adapter = new SymlinkReleaseAdapter(Duration.ofSeconds(5));
    }

    private static SshReleaseWorld.Host deployed(SshReleaseWorld.Host host) {
        return host.release(OLDEST, "001_create_orders.rb")
                .release(PREVIOUS, "001_create_orders.rb", "002_add_total.rb")
                .release(LATEST, "001_create_orders.rb", "002_add_total.rb", "003_add_coupon.rb", "004_drop_legacy.rb")
                .current(LATEST);
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

    private Target target(Map<String, Object> overrides) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("hosts", List.of(app1.address(), app2.address()));
        spec.put("user", SshReleaseWorld.USER);
        spec.put("deployTo", SshReleaseWorld.DEPLOY_TO);
        spec.put("keyFile", world.keyFile().toString());
        spec.put("knownHosts", world.knownHosts().toString());
        spec.put("restart", RESTART);
        spec.putAll(overrides);
        return new Target(SymlinkReleaseAdapter.TYPE, spec);
    }

    @Override
    protected Target missingTarget() {
        return target(Map.of("deployTo", "/srv/nosuch"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(app1.currentRelease()).isEqualTo(chosen.id());
        assertThat(app2.currentRelease()).isEqualTo(chosen.id());
    }

    @Override
    protected long changesSeen() {
        return world.commands().stream().filter(c -> c.contains("mv -T") || c.contains(RESTART)).count();
    }

    private static Change change(String runId, String release) {
        return Change.to(runId, release);
    }

    @Test
    void describeListsReleasesNewestFirstWithTheirTimestamps() {
        TargetState state = adapter.describe(target());

        assertThat(state.current().id()).isEqualTo(LATEST);
        assertThat(state.current().label()).isEqualTo(LATEST);
        assertThat(state.current().createdAt()).contains(Instant.parse("2026-11-24T14:02:03Z"));
        assertThat(state.current().images()).containsExactly("/srv/app/releases/" + LATEST);
        assertThat(state.candidates()).extracting(Revision::id).containsExactly(PREVIOUS, OLDEST);
        assertThat(state.previous().orElseThrow().attributes()).containsEntry("release", PREVIOUS);
        assertThat(state.target()).contains(app1.address()).contains(app2.address()).contains("/srv/app");
        assertThat(state.facts()).anySatisfy(f -> assertThat(f.value()).contains("all on " + LATEST));
    }

    @Test
    void theCardSaysTheDatabaseStaysAndListsTheMigrationsAddedSinceTheChosenRelease() {
        List<String> warnings = adapter.describe(target()).warnings();

        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("database is not reverted by this adapter"));
        assertThat(warnings).anySatisfy(w -> assertThat(w)
                .isEqualTo("Migrations added since " + PREVIOUS + " stay applied (2): 003_add_coupon.rb, 004_drop_legacy.rb"));
    }

    @Test
    void noMigrationWarningWhenDbMigrateIsTheSame() {
        app1.release("20261124150000", "001_create_orders.rb", "002_add_total.rb", "003_add_coupon.rb",
                "004_drop_legacy.rb").current("20261124150000");
        app2.release("20261124150000", "001_create_orders.rb", "002_add_total.rb", "003_add_coupon.rb",
                "004_drop_legacy.rb").current("20261124150000");

        List<String> warnings = adapter.describe(target()).warnings();

        assertThat(warnings).noneMatch(w -> w.startsWith("Migrations added"));
        assertThat(warnings).anyMatch(w -> w.contains("database is not reverted"));
    }

    @Test
    void rollbackSwitchesEveryHostRestartsInTheNewCurrentAndReportsPerHost() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(target(), change("rb-switch01", PREVIOUS), steps::add, Duration.ofSeconds(10));

        assertThat(app1.currentRelease()).isEqualTo(PREVIOUS);
        assertThat(app2.currentRelease()).isEqualTo(PREVIOUS);
        assertThat(app1.restarted(PREVIOUS)).isTrue();
        assertThat(app1.restarted(LATEST)).isFalse();
        assertThat(app2.restarted(PREVIOUS)).isTrue();
        assertThat(steps).contains(app1.address() + ": current → " + PREVIOUS + "; restart ok",
                app2.address() + ": current → " + PREVIOUS + "; restart ok");
        assertThat(outcome.summary()).contains("current → " + PREVIOUS).contains("was " + LATEST);
        assertThat(outcome.recorded()).containsEntry("fromRelease", LATEST).containsEntry("toRelease", PREVIOUS);
        assertThat(Files.exists(app1.deployTo().resolve("current_tmp_rb-switch01"))).isFalse();
        assertThat(world.commands()).anySatisfy(c -> assertThat(c).isEqualTo(
                "ln -sfn -- '/srv/app/releases/" + PREVIOUS + "' '/srv/app/current_tmp_rb-switch01'"
                        + " && printf '%s\\n' '" + PREVIOUS + "' > '/srv/app/.rewind-restart-rb-switch01'"
                        + " && mv -T -- '/srv/app/current_tmp_rb-switch01' '/srv/app/current'"));
    }

    @Test
    void aHostAlreadyOnTheChosenReleaseIsNeitherSwitchedNorRestarted() {
        app2.current(PREVIOUS);
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        adapter.execute(target(), change("rb-partial01", PREVIOUS), steps::add, Duration.ofSeconds(10));

        assertThat(app1.restarted(PREVIOUS)).isTrue();
        assertThat(app2.restarted(PREVIOUS)).isFalse();
        assertThat(app2.commands()).noneMatch(c -> c.contains("mv -T") || c.contains(RESTART));
        assertThat(steps).contains(app2.address() + ": current → " + PREVIOUS + " already; not switched again, no restart");
    }

    @Test
    void aRestartOwedByTheRunIsRetriedWhenTheRunIsResumed() {
        app1.failCommandsContaining(RESTART, "passenger: cannot restart");
        assertThatThrownBy(() -> adapter.execute(target(), change("rb-resume01", PREVIOUS), Progress.NONE,
                Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Switched: " + app2.address())
                .hasMessageContaining("Switched but restart failed: " + app1.address()
                        + " (restart failed (exit 1: passenger: cannot restart))");
        assertThat(adapter.verify(target()).status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(adapter.verify(target()).detail()).contains("restart after run rb-resume01");

        app1.clearFaults();
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        Outcome outcome = adapter.execute(target(), change("rb-resume01", PREVIOUS), steps::add, Duration.ofSeconds(10));

        assertThat(app1.restarted(PREVIOUS)).isTrue();
        assertThat(steps).contains(app1.address() + ": current → " + PREVIOUS + " (switched earlier by this run); restart ok",
                app2.address() + ": current → " + PREVIOUS + " already; not switched again, no restart");
        assertThat(world.commands()).filteredOn(c -> c.contains("mv -T")).hasSize(2);
        assertThat(outcome.summary()).contains("restart");
        assertThat(adapter.verify(target()).isHealthy()).isTrue();
    }

    @Test
    void failureOnOneHostSaysWhichHostsWereSwitchedAndWhichNot() {
        app2.failCommandsContaining("mv -T", "mv: cannot move current_tmp to current: Permission denied");

        assertThatThrownBy(() -> adapter.execute(target(), change("rb-fail01", PREVIOUS), Progress.NONE,
                Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("rollback to release " + PREVIOUS + " is incomplete")
                .hasMessageContaining("Switched: " + app1.address())
                .hasMessageContaining("NOT switched: " + app2.address() + " (switching current failed (exit 1: mv: "
                        + "cannot move current_tmp to current: Permission denied); still on " + LATEST + ")");
        assertThat(app1.currentRelease()).isEqualTo(PREVIOUS);
        assertThat(app2.currentRelease()).isEqualTo(LATEST);
    }

    @Test
    void hostsThatDisagreeAboutTheCurrentReleaseAreRefusedNamingEach() {
        app2.current(OLDEST);

        assertThatThrownBy(() -> adapter.describe(target()))
                .isInstanceOf(AdapterException.class)
                .hasMessage("hosts disagree about the current release: " + app1.address() + " → " + LATEST + ", "
                        + app2.address() + " → " + OLDEST + "; make them agree before rolling back");
        assertThat(adapter.verify(target()).status()).isEqualTo(Health.Status.UNHEALTHY);
    }

    @Test
    void aReleaseMissingOnOneHostIsRefusedBeforeAnythingIsSwitched() {
        app1.release("20261124110000");

        assertThatThrownBy(() -> adapter.execute(target(), change("rb-missing01", "20261124110000"), Progress.NONE,
                Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessage("release 20261124110000 is missing on " + app2.address() + " (present on " + app1.address()
                        + "); nothing was switched");
        assertThat(app1.currentRelease()).isEqualTo(LATEST);
        assertThat(world.commands()).noneMatch(c -> c.contains("mv -T"));
    }

    @Test
    void aReleaseOnlySomeHostsHaveIsNotOffered() {
        app1.release("20261124110000");

        TargetState state = adapter.describe(target());

        assertThat(state.candidates()).extracting(Revision::id).containsExactly(PREVIOUS, OLDEST);
        assertThat(state.warnings()).anySatisfy(w -> assertThat(w)
                .contains("20261124110000 (missing on " + app2.address() + ")"));
    }

    @Test
    void withoutAnEarlierReleaseThereIsNothingToRollBackTo() throws Exception {
        for (SshReleaseWorld.Host host : List.of(app1, app2)) {
            deleteTree(host.deployTo().resolve("releases").resolve(OLDEST));
            deleteTree(host.deployTo().resolve("releases").resolve(PREVIOUS));
        }

        assertThatThrownBy(() -> adapter.describe(target()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("no earlier release to roll back to")
                .hasMessageContaining(LATEST);
    }

    @Test
    void anUnknownHostKeyIsRejectedWithTheFingerprintAndTheFile() {
        SshReleaseWorld.Host stranger = deployed(world.host("stranger", false));

        assertThatThrownBy(() -> adapter.describe(target(Map.of("hosts", List.of(app1.address(), stranger.address())))))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining(stranger.address() + ": unknown host: its host key (ecdsa-sha2-nistp256 SHA256:")
                .hasMessageContaining("is not in the known hosts file " + world.knownHosts())
                .hasMessageNotContaining(app1.address() + ":");
        assertThat(stranger.commands()).isEmpty();
    }

    @Test
    void aChangedHostKeyIsRejected() {
        SshReleaseWorld.Host rebuilt = deployed(world.host("rebuilt", false)).trustAnotherKey();

        assertThatThrownBy(() -> adapter.describe(target(Map.of("hosts", List.of(rebuilt.address())))))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining(rebuilt.address() + ": its host key has CHANGED");
        assertThat(rebuilt.commands()).isEmpty();
    }

    @Test
    void aKeyTheHostDoesNotAcceptIsReportedWithoutItsContent() throws Exception {
        Path stranger = world.strangerKeyFile();

        assertThatThrownBy(() -> adapter.describe(target(Map.of("keyFile", stranger.toString()))))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("user deploy was not let in with the key in " + stranger)
                .hasMessageNotContaining(Files.readString(stranger).lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void aKeyFileThatIsNoKeyIsReportedWithoutItsContent() throws Exception {
        Path broken = Files.writeString(world.root().resolve("broken_key"),
                "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n");

        assertThatThrownBy(() -> adapter.describe(target(Map.of("keyFile", broken.toString()))))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining(broken.toString())
                .hasMessageNotContaining("c2VjcmV0");
        assertThat(world.commands()).isEmpty();
    }

    @Test
    void aMissingKnownHostsFileConnectsNowhere() {
        assertThatThrownBy(() -> adapter.describe(target(Map.of("knownHosts", "/etc/rewind/no_known_hosts"))))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("cannot read the known hosts file /etc/rewind/no_known_hosts");
        assertThat(world.commands()).isEmpty();
    }

    @Test
    void anUnreachableHostIsNamed() {
        app2.stop();

        assertThatThrownBy(() -> adapter.describe(target()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining(app2.address() + ": cannot connect");
    }

    @Test
    void aHostThatDoesNotAnswerInTimeIsNamedAndTheOthersStillAnswer() {
        app2.slowCommandsContaining("readlink", 10);
        SymlinkReleaseAdapter impatient = new SymlinkReleaseAdapter(Duration.ofMillis(1500));
        long started = System.nanoTime();

        assertThatThrownBy(() -> impatient.describe(target()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining(app2.address() + ": `readlink -- '/srv/app/current'` did not finish")
                .hasMessageNotContaining(app1.address() + ":");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void unsafeReleaseNamesAreRefusedAndNeverReachAShell() {
        assertThatThrownBy(() -> adapter.execute(target(), change("rb-unsafe01", "x'; rm -rf / #"), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("x'; rm -rf / #")
                .hasMessageContaining("not a release directory name");
        assertThat(world.commands()).isEmpty();
    }

    @Test
    void unsafeDirectoryNamesInReleasesAreSkippedWithAWarning() throws Exception {
        for (SshReleaseWorld.Host host : List.of(app1, app2)) {
            Files.createDirectories(host.deployTo().resolve("releases").resolve("2026 $(touch pwned)"));
        }

        TargetState state = adapter.describe(target());

        assertThat(state.candidates()).extracting(Revision::id).containsExactly(PREVIOUS, OLDEST);
        assertThat(state.warnings()).anySatisfy(w -> assertThat(w).contains("ignored 1 directory name(s)"));
    }

    @Test
    void verifyIsUnhealthyWhenCurrentPointsAtAMissingRelease() throws Exception {
        deleteTree(app2.deployTo().resolve("releases").resolve(LATEST));

        Health health = adapter.verify(target());

        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.detail()).contains(app2.address() + ": current points to release " + LATEST
                + ", whose directory does not exist");
    }

    @Test
    void verifyIsHealthyWhenAllHostsServeTheSameExistingRelease() {
        Health health = adapter.verify(target());

        assertThat(health.status()).isEqualTo(Health.Status.HEALTHY);
        assertThat(health.detail()).isEqualTo("current → " + LATEST + " on " + app1.address() + ", " + app2.address());
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
