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

/** A Rollout whose last update (r3) completed: a rollback is an undo to an earlier ReplicaSet's template. */
class ArgoRolloutAdapterIT extends RollbackAdapterContract {

    private KubernetesWorld world;
    private ArgoRolloutsWorld argo;
    private ArgoRolloutAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        argo = new ArgoRolloutsWorld(world);
        argo.rollout("shop", "search", 3, "shop/search:1.0", "shop/search:1.1", "shop/search:1.2");
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
        assertThat(argo.image("shop", "search")).isEqualTo(chosen.images().get(0));
        String hash = world.client().apps().replicaSets().inNamespace("shop").withName(chosen.id()).get()
                .getMetadata().getLabels().get("rollouts-pod-template-hash");
        assertThat(argo.status("shop", "search")).containsEntry("stableRS", hash).containsEntry("phase", "Healthy");
    }

    @Override
    protected long changesSeen() {
        return world.callsMatching(call -> call.startsWith("PATCH /apis/argoproj.io/"));
    }

    @Test
    void describeListsTheReplicaSetsAsRevisions() {
        TargetState state = adapter.describe(target());

        assertThat(state.current().label()).isEqualTo("r3");
        assertThat(state.current().images()).containsExactly("shop/search:1.2");
        assertThat(state.current().id()).startsWith("search-");
        assertThat(state.candidates()).extracting(Revision::label).containsExactly("r2", "r1");
        assertThat(state.candidates().get(0).images()).containsExactly("shop/search:1.1");
        assertThat(state.facts()).contains(new TargetState.Fact("Phase", "Healthy"));
        assertThat(state.facts()).anyMatch(f -> f.name().equals("Stable") && f.value().startsWith("r3 search-")
                && f.value().endsWith("(shop/search:1.2): 3/3 ready"));
        assertThat(state.warnings()).isEmpty();
    }

    @Test
    void undoRestoresTheTemplateWithoutTheHashLabel() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(target(), Change.to("rb-argo0000001", "1"), steps::add, Duration.ofSeconds(10));

        assertThat(argo.image("shop", "search")).isEqualTo("shop/search:1.0");
        @SuppressWarnings("unchecked")
        Map<String, Object> labels = (Map<String, Object>) argo.rollout("shop", "search").get()
                .get("spec", "template", "metadata", "labels");
        assertThat(labels).containsOnlyKeys("app");
        assertThat(steps.get(0)).isEqualTo("Rollout shop/search: pod template of r1 restored (shop/search:1.0)");
        assertThat(outcome.summary()).startsWith("Rollout shop/search rolled back from r3 to r1 (shop/search:1.0): stable ");
        assertThat(outcome.recorded()).containsEntry("action", "undo").containsEntry("fromRevision", "r3");
        assertThat(adapter.describe(target()).current().label()).as("renumbered as Argo does").isEqualTo("r4");
    }

    @Test
    void verifySaysHealthyWithTheStableReplicas() {
        Health health = adapter.verify(target());
        assertThat(health.isHealthy()).isTrue();
        assertThat(health.detail()).startsWith("Rollout shop/search Healthy: stable search-").endsWith("(r3) 3/3 ready");
    }

    @Test
    void aPausedRolloutIsRefused() {
        argo.rollout("shop", "search").edit(r -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
            spec.put("paused", true);
            return r;
        });
        assertThat(adapter.describe(target()).warnings()).anyMatch(w -> w.contains("paused"));
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-argo0000002", "2"), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("kubectl argo rollouts resume search -n shop");
        assertThat(argo.image("shop", "search")).isEqualTo("shop/search:1.2");
    }

    @Test
    void validateNamesTheMissingField() {
        assertThatThrownBy(() -> adapter.validate(new Target(ArgoRolloutAdapter.TYPE, Map.of("namespace", "shop"))))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'rollout'");
    }
}
