package dev.rewind.adapter.argo;

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
import dev.rewind.testing.ArgoRolloutsWorld;
import dev.rewind.testing.KubernetesWorld;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A canary update to r3 paused at 20%: going back to stable r2 is an abort, not a template change. */
class ArgoRolloutAbortIT extends RollbackAdapterContract {

    private KubernetesWorld world;
    private ArgoRolloutsWorld argo;
    private ArgoRolloutAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        argo = new ArgoRolloutsWorld(world);
        argo.rollout("shop", "search", 3, "shop/search:1.0", "shop/search:1.1");
        argo.startCanary("shop", "search", "shop/search:1.2");
        adapter = new ArgoRolloutAdapter(world.newClient());
    }

    @AfterEach
    void close() {
        argo.close();
        world.close();
    }

    @Override
    protected RollbackAdapter adapter() {
        return adapter;
    }

    @Override
    protected Target target() {
        return new Target(ArgoRolloutAdapter.TYPE, Map.of("namespace", "shop", "rollout", "search"));
    }

    @Override
    protected Target missingTarget() {
        return new Target(ArgoRolloutAdapter.TYPE, Map.of("namespace", "shop", "rollout", "nosuch"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        Map<String, Object> status = argo.status("shop", "search");
        assertThat(status).containsEntry("abort", true).containsEntry("phase", "Degraded");
        ReplicaSet stable = replicaSet(chosen.id());
        assertThat(status).containsEntry("stableRS", stable.getMetadata().getLabels().get("rollouts-pod-template-hash"));
        assertThat(stable.getStatus().getReadyReplicas()).isEqualTo(3);
        assertThat(canary().getSpec().getReplicas()).as("canary scaled down").isZero();
    }

    @Override
    protected long changesSeen() {
        return world.callsMatching(call -> call.startsWith("PATCH /apis/argoproj.io/"));
    }

    private ReplicaSet replicaSet(String name) {
        return world.client().apps().replicaSets().inNamespace("shop").withName(name).get();
    }

    private ReplicaSet canary() {
        String hash = String.valueOf(argo.status("shop", "search").get("currentPodHash"));
        return argo.replicaSets("shop", "search").stream()
                .filter(rs -> hash.equals(rs.getMetadata().getLabels().get("rollouts-pod-template-hash"))).findFirst()
                .orElseThrow();
    }

    @Test
    void describeOffersStableFirstAndWarnsThatRollingBackAborts() {
        TargetState state = adapter.describe(target());

        assertThat(state.current().label()).isEqualTo("r3");
        assertThat(state.candidates()).extracting(Revision::label).containsExactly("r2", "r1");
        assertThat(state.facts()).contains(new TargetState.Fact("Phase", "Paused: CanaryPauseStep"),
                new TargetState.Fact("Strategy", "canary, step 1 of 2"));
        assertThat(state.facts()).anyMatch(f -> f.name().equals("Updating to") && f.value().endsWith("1/1 ready"));
        assertThat(state.warnings()).containsExactly("An update to r3 is in progress (Paused): rolling back to r2 "
                + "aborts it, which scales the canary down and returns traffic to stable");
    }

    @Test
    void abortPatchesOnlyTheStatusSubresourceAndKeepsTheSpec() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        Revision stable = adapter.describe(target()).previous().orElseThrow();
        long specPatchesBefore = world.callsMatching(
                call -> call.equals("PATCH /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/search"));

        Outcome outcome = adapter.execute(target(), Change.to("rb-argoabort01", stable.id()), steps::add,
                Duration.ofSeconds(10));

        assertThat(world.callsMatching(call -> call.equals("PATCH /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/search/status")))
                .isEqualTo(1);
        assertThat(world.callsMatching(call -> call.equals("PATCH /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/search")))
                .isEqualTo(specPatchesBefore);
        assertThat(argo.image("shop", "search")).as("abort leaves the spec alone").isEqualTo("shop/search:1.2");
        assertThat(steps.get(0)).isEqualTo("Rollout shop/search: update to r3 aborted; traffic returns to stable r2 "
                + "(shop/search:1.1)");
        assertThat(outcome.summary()).contains("stays Degraded").contains("spec.template still names r3");
        assertThat(outcome.recorded()).containsEntry("action", "abort").containsEntry("stableReplicaSet", stable.id());
    }

    @Test
    void afterTheAbortTheCardSaysTheSpecStillNamesTheBadRevision() {
        Revision stable = adapter.describe(target()).previous().orElseThrow();
        adapter.execute(target(), Change.to("rb-argoabort02", stable.id()), Progress.NONE, Duration.ofSeconds(10));

        TargetState state = adapter.describe(target());

        assertThat(state.facts()).contains(new TargetState.Fact("Phase", "Degraded: RolloutAborted: Rollout aborted "
                + "update to revision 3"));
        assertThat(state.warnings()).anyMatch(w -> w.startsWith("The update to r3 was aborted: traffic is on stable r2")
                && w.contains("spec.template still names r3"));
        Health health = adapter.verify(target());
        assertThat(health.isHealthy()).isTrue();
        assertThat(health.detail()).contains("aborted its update").contains("(r2) 3/3 ready");
    }

    @Test
    void undoAfterAbortAlsoPutsTheStableTemplateBackAndEndsTheDegradedState() {
        Target target = new Target(ArgoRolloutAdapter.TYPE, Map.of("namespace", "shop", "rollout", "search",
                "undoAfterAbort", true));
        Revision stable = adapter.describe(target).previous().orElseThrow();
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(target, Change.to("rb-argoabort03", stable.id()), steps::add,
                Duration.ofSeconds(10));

        assertThat(argo.status("shop", "search")).containsEntry("phase", "Healthy").doesNotContainKey("abort")
                .containsEntry("stableRS", replicaSet(stable.id()).getMetadata().getLabels().get("rollouts-pod-template-hash"));
        assertThat(argo.image("shop", "search")).isEqualTo("shop/search:1.1");
        assertThat(steps).anyMatch(s -> s.contains("undoing spec.template to stable r2"));
        assertThat(outcome.recorded()).containsEntry("action", "abort+undo");

        Outcome again = adapter.execute(target, Change.to("rb-argoabort03", stable.id()), Progress.NONE,
                Duration.ofSeconds(10));
        assertThat(again.summary()).contains("rolled back");
        assertThat(adapter.verify(target).isHealthy()).isTrue();
    }

    @Test
    void theRevisionBeingRolledOutIsNotAWayBack() {
        String canary = adapter.describe(target()).current().id();
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-argoabort05", canary), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessage("r3 is the revision Rollout shop/search is updating to, not one to go back to; choose the "
                        + "stable revision r2 to abort");
    }
}
