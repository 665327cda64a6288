package dev.rewind.adapter.argocd;

import dev.rewind.testing.FakeArgoCd;
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
import dev.rewind.adapter.http.RetryingHttp;
import dev.rewind.config.Secrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgoCdAdapterIT extends RollbackAdapterContract {

    private static final String OLD = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String GOOD = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    private static final String BAD = "bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0";

    private FakeArgoCd world;
    private ArgoCdAdapter adapter;

    @BeforeEach
    void world() {
        world = new FakeArgoCd();
        world.app("shop", OLD, GOOD, BAD);
        adapter = new ArgoCdAdapter(Secrets.of(Map.of("ARGOCD_TOKEN", FakeArgoCd.TOKEN)),
                new RetryingHttp(HttpClient.newHttpClient(), new RetryingHttp.Backoff(3, Duration.ofMillis(10),
                        Duration.ofMillis(50))), Duration.ofMillis(20));
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

    private Target target(Map<String, Object> extra) {
        Map<String, Object> spec = new HashMap<>(Map.of("url", world.url(), "application", "shop", "tokenEnv", "ARGOCD_TOKEN"));
        spec.putAll(extra);
        return new Target(ArgoCdAdapter.TYPE, spec);
    }

    @Override
    protected Target missingTarget() {
        return new Target(ArgoCdAdapter.TYPE, Map.of("url", world.url(), "application", "nosuch", "tokenEnv", "ARGOCD_TOKEN"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(world.get("shop").liveRevision()).isEqualTo(chosen.attributes().get("git revision"));
    }

    @Override
    protected long changesSeen() {
        return world.server().changes();
    }

    @Test
    void theCardShowsSyncHealthAutoSyncAndTheHistory() {
        TargetState state = adapter.describe(target());
        assertThat(state.current().label()).isEqualTo("#12 bad0bad");
        assertThat(state.candidates()).extracting(Revision::label).containsExactly("#11 a1b2c3d", "#10 1111111");
        assertThat(state.candidates().get(0).id()).isEqualTo("11");
        assertThat(state.candidates().get(0).attributes()).containsEntry("git revision", GOOD);
        assertThat(state.candidates().get(0).createdAt()).isPresent();
        assertThat(state.facts()).extracting(TargetState.Fact::name, TargetState.Fact::value).contains(
                org.assertj.core.groups.Tuple.tuple("Sync", "Synced"),
                org.assertj.core.groups.Tuple.tuple("Health", "Healthy"),
                org.assertj.core.groups.Tuple.tuple("Automated sync", "on (prune)"),
                org.assertj.core.groups.Tuple.tuple("Self-heal", "on"));
        assertThat(state.warnings()).anyMatch(w -> w.contains("Automated sync is on"));
    }

    @Test
    void disablesAutomatedSyncThenRollsBackAndWatchesUntilHealthy() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        Outcome outcome = adapter.execute(target(), Change.to("rb-argo0000001", "11"), steps::add, Duration.ofSeconds(10));

        assertThat(world.get("shop").automated).isNull();
        assertThat(world.server().requests("PATCH", "/api/v1/applications/shop")).hasSize(1);
        var rollback = world.server().requests("POST", "/api/v1/applications/shop/rollback");
        assertThat(rollback).singleElement().satisfies(r ->
                assertThat(dev.rewind.testing.FakeHttpService.JSON.readTree(r.getBodyAsString()).path("id").asLong()).isEqualTo(11));
        assertThat(steps.get(0)).contains("automated sync disabled");
        assertThat(steps).anyMatch(s -> s.contains("rollback from #12 bad0bad to #11 a1b2c3d started"));
        assertThat(steps).anyMatch(s -> s.contains("Progressing"));
        assertThat(steps).anyMatch(s -> s.contains("Healthy") && s.contains("#13 a1b2c3d"));
        assertThat(outcome.recorded()).containsEntry("historyId", "11").containsEntry("revision", GOOD)
                .containsEntry("restoreAutoSync", "false");
        assertThat(outcome.recorded().get(ArgoCdAdapter.AUTOMATED_BEFORE)).contains("\"selfHeal\":true");
        assertThat(outcome.recorded()).containsEntry(ArgoCdAdapter.ROLLED_BACK_FROM, BAD);
        assertThat(outcome.summary()).contains("Automated sync stays off");
        assertThat(adapter.followUp(target(), outcome.recorded())).as("restoreAutoSync is off: nothing is offered").isEmpty();
    }

    @Test
    void restoreAutoSyncIsOfferedForAfterTheIncident() {
        Outcome outcome = adapter.execute(target(Map.of("restoreAutoSync", true)), Change.to("rb-argo0000002", "11"),
                Progress.NONE, Duration.ofSeconds(10));
        assertThat(outcome.recorded()).containsEntry("restoreAutoSync", "true");
        assertThat(outcome.summary()).contains("restored from the card after the incident");
        assertThat(adapter.followUp(target(Map.of("restoreAutoSync", true)), outcome.recorded())).hasValueSatisfying(f -> {
            assertThat(f.action()).isEqualTo("Restore automated sync");
            assertThat(f.description()).contains("automated sync is off (was on, self-heal, prune)");
        });
    }

    @Test
    void automatedSyncIsNotRestoredWhileGitStillPointsAtTheBadRevision() {
        Target target = target(Map.of("restoreAutoSync", true));
        Outcome outcome = adapter.execute(target, Change.to("rb-argo0000010", "11"), Progress.NONE, Duration.ofSeconds(10));

        assertThatThrownBy(() -> adapter.completeFollowUp(target, outcome.recorded()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("it is OutOfSync, and git still points at bad0bad")
                .hasMessageContaining("would deploy git as it is at once");
        assertThat(world.get("shop").automated).isNull();
        assertThat(world.get("shop").liveRevision()).isEqualTo(GOOD);
    }

    @Test
    void automatedSyncIsNotRestoredWhileGitMovedOnButStillDiffersFromWhatRuns() {
        Target target = target(Map.of("restoreAutoSync", true));
        Outcome outcome = adapter.execute(target, Change.to("rb-argo0000013", "11"), Progress.NONE, Duration.ofSeconds(10));
        // Someone else's commit moved the branch of a monorepo; the bad change is still in it.
        world.get("shop").gitHead = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";

        assertThatThrownBy(() -> adapter.completeFollowUp(target, outcome.recorded()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("it is OutOfSync: git at f1f1f1f differs from what runs now");
        assertThat(world.get("shop").automated).isNull();
    }

    @Test
    void automatedSyncIsRestoredAsItWasOnceGitRendersWhatRuns() {
        Target target = target(Map.of("restoreAutoSync", true));
        Outcome outcome = adapter.execute(target, Change.to("rb-argo0000011", "11"), Progress.NONE, Duration.ofSeconds(10));
        assertThat(world.get("shop").annotations).containsKey(ArgoCdAdapter.SYNC_BEFORE_ANNOTATION);
        world.get("shop").gitHead = GOOD;

        String said = adapter.completeFollowUp(target, outcome.recorded());

        assertThat(said).contains("is on again (self-heal, prune)").contains("syncs to a1b2c3d");
        assertThat(world.get("shop").automated).containsEntry("selfHeal", true).containsEntry("prune", true);
        assertThat(world.get("shop").annotations).doesNotContainKey(ArgoCdAdapter.SYNC_BEFORE_ANNOTATION);
        assertThat(world.server().requests("GET", "/api/v1/applications/shop")).anyMatch(r -> r.getUrl().contains("refresh=normal"));
        assertThat(adapter.completeFollowUp(target, outcome.recorded())).contains("already on");
    }

    @Test
    void aReExecutionAfterACrashStillKnowsWhatToRestore() {
        Target target = target(Map.of("restoreAutoSync", true));
        adapter.execute(target, Change.to("rb-argo0000012", "11"), Progress.NONE, Duration.ofSeconds(10));

        Outcome again = adapter.execute(target, Change.to("rb-argo0000012", "11"), Progress.NONE, Duration.ofSeconds(10));

        assertThat(again.recorded().get(ArgoCdAdapter.AUTOMATED_BEFORE)).contains("\"selfHeal\":true");
        assertThat(adapter.followUp(target, again.recorded())).isPresent();
    }

    @Test
    void refusesWhenAutomatedSyncCannotBeDisabled() {
        world.refusePatch(403);
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-argo0000003", "11"), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Refusing to roll back")
                .hasMessageContaining("permission denied")
                .hasMessageContaining("sync loop would undo");
        assertThat(world.server().requests("POST", "/api/v1/applications/shop/rollback")).isEmpty();
        assertThat(world.get("shop").liveRevision()).isEqualTo(BAD);
    }

    @Test
    void refusesWhenAutomatedSyncComesStraightBack() {
        world.keepAutomated();
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-argo0000004", "11"), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("still reports it on");
        assertThat(world.server().requests("POST", "/api/v1/applications/shop/rollback")).isEmpty();
    }

    @Test
    void aFailedSyncFailsWithArgoCdsMessage() {
        world.failNextRollback();
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-argo0000005", "11"), Progress.NONE,
                Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("failed to apply");
        assertThat(adapter.verify(target()).status()).isEqualTo(Health.Status.UNHEALTHY);
    }

    @Test
    void aRollbackThatDoesNotFinishInTimeSaysWhereItIs() {
        world.get("shop").automated = null;
        world.stuck = true;
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-argo0000006", "11"), Progress.NONE,
                Duration.ofMillis(30)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("did not become Healthy at #11 a1b2c3d");
    }

    @Test
    void verifyCallsOutOfSyncExpectedAfterARollback() {
        adapter.execute(target(), Change.to("rb-argo0000007", "11"), Progress.NONE, Duration.ofSeconds(10));
        Health health = adapter.verify(target());
        assertThat(health.isHealthy()).isTrue();
        assertThat(health.detail()).contains("OutOfSync is expected");
    }

    @Test
    void aRejectedTokenNamesTheVariable() {
        ArgoCdAdapter wrong = new ArgoCdAdapter(Secrets.of(Map.of("ARGOCD_TOKEN", "stolen")),
                new RetryingHttp(HttpClient.newHttpClient(), RetryingHttp.Backoff.DEFAULT));
        assertThatThrownBy(() -> wrong.describe(target()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("ARGOCD_TOKEN").hasMessageContaining("HTTP 401").hasMessageNotContaining("stolen");
    }

    @Test
    void validateChecksRestoreAutoSync() {
        assertThatThrownBy(() -> adapter.validate(target(Map.of("restoreAutoSync", "maybe"))))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("restoreAutoSync");
        adapter.validate(target(Map.of("restoreAutoSync", true)));
    }
}
