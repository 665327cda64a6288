package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Outcome;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
import dev.rewind.testing.ControllerRevisionWorld;
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

class KubernetesStatefulSetAdapterIT extends RollbackAdapterContract {

    private KubernetesWorld world;
    private ControllerRevisionWorld controllers;
    private KubernetesStatefulSetAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        controllers = new ControllerRevisionWorld(world);
        controllers.statefulSet("shop", "ledger", 3, "shop/ledger:5.0", "shop/ledger:5.1", "shop/ledger:5.2");
        adapter = new KubernetesStatefulSetAdapter(world.newClient());
    }

    @AfterEach
    void close() {
        controllers.close();
        world.close();
    }

    @Override
    protected RollbackAdapter adapter() {
        return adapter;
    }

    @Override
    protected Target target() {
        return new Target(KubernetesStatefulSetAdapter.TYPE, Map.of("namespace", "shop", "statefulSet", "ledger"));
    }

    @Override
    protected Target missingTarget() {
        return new Target(KubernetesStatefulSetAdapter.TYPE, Map.of("namespace", "shop", "statefulSet", "nosuch"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        var statefulSet = controllers.statefulSet("shop", "ledger");
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(chosen.images().get(0));
        assertThat(statefulSet.getStatus().getCurrentRevision()).isEqualTo(statefulSet.getStatus().getUpdateRevision())
                .isEqualTo(chosen.id());
    }

    @Override
    protected long changesSeen() {
        return world.callsMatching(call -> call.startsWith("PATCH /apis/apps/v1/namespaces/shop/statefulsets/ledger")
                && !call.contains("/status"));
    }

    @Test
    void describeReadsRevisionsFromTheControllerRevisions() {
        TargetState state = adapter.describe(target());

        assertThat(state.current().label()).isEqualTo("r3");
        assertThat(state.current().id()).isEqualTo(controllers.statefulSet("shop", "ledger").getStatus().getUpdateRevision());
        assertThat(state.current().images()).containsExactly("shop/ledger:5.2");
        assertThat(state.candidates()).extracting(Revision::label).containsExactly("r2", "r1");
        assertThat(state.candidates().get(0).images()).containsExactly("shop/ledger:5.1");
        assertThat(state.facts()).contains(new TargetState.Fact("Replicas", "3/3 updated, 3/3 ready"));
        assertThat(state.warnings()).isEmpty();
    }

    @Test
    void theTemplateIsRestoredWithoutTheMergeDirectiveAndTheRevisionRenumbered() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(target(), Change.to("rb-sts00000001", "1"), steps::add, Duration.ofSeconds(10));

        var template = controllers.statefulSet("shop", "ledger").getSpec().getTemplate();
        assertThat(template.getSpec().getContainers().get(0).getImage()).isEqualTo("shop/ledger:5.0");
        assertThat(template.getAdditionalProperties()).doesNotContainKey("$patch");
        assertThat(steps.get(0)).isEqualTo("StatefulSet shop/ledger: pod template of r1 restored (shop/ledger:5.0)");
        assertThat(steps).anyMatch(s -> s.startsWith("StatefulSet shop/ledger: 3/3 updated, 3/3 ready"));
        assertThat(outcome.summary()).startsWith("StatefulSet shop/ledger rolled back from r3 to r1 (shop/ledger:5.0)");
        assertThat(adapter.describe(target()).current().label()).isEqualTo("r4");
    }

    @Test
    void aStuckRolloutFailsAtTheTimeoutWithThePodsReason() {
        world.breakImage("shop/ledger:5.1");

        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-sts00000002", "2"), Progress.NONE,
                Duration.ofMillis(800)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("did not complete within")
                .hasMessageContaining("rolling update to ledger-")
                .hasMessageContaining("ImagePullBackOff (Back-off pulling image \"shop/ledger:5.1\")");
    }

    @Test
    void validateNamesTheMissingField() {
        assertThatThrownBy(() -> adapter.validate(new Target(KubernetesStatefulSetAdapter.TYPE, Map.of("namespace", "shop"))))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'statefulSet'");
    }
}
