package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Health;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubernetesDaemonSetAdapterIT extends RollbackAdapterContract {

    private KubernetesWorld world;
    private ControllerRevisionWorld controllers;
    private KubernetesDaemonSetAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        controllers = new ControllerRevisionWorld(world);
        controllers.daemonSet("shop", "log-agent", "shop/agent:2.0", "shop/agent:2.1", "shop/agent:2.2");
        adapter = new KubernetesDaemonSetAdapter(world.newClient());
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
        return new Target(KubernetesDaemonSetAdapter.TYPE, Map.of("namespace", "shop", "daemonSet", "log-agent"));
    }

    @Override
    protected Target missingTarget() {
        return new Target(KubernetesDaemonSetAdapter.TYPE, Map.of("namespace", "shop", "daemonSet", "nosuch"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        var daemonSet = controllers.daemonSet("shop", "log-agent");
        assertThat(daemonSet.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(chosen.images().get(0));
        assertThat(daemonSet.getStatus().getUpdatedNumberScheduled()).isEqualTo(ControllerRevisionWorld.NODES);
        assertThat(daemonSet.getStatus().getNumberAvailable()).isEqualTo(ControllerRevisionWorld.NODES);
    }

    @Override
    protected long changesSeen() {
        return world.callsMatching(call -> call.startsWith("PATCH /apis/apps/v1/namespaces/shop/daemonsets/log-agent")
                && !call.contains("/status"));
    }

    @Test
    void describeFindsTheLiveRevisionByItsTemplate() {
        TargetState state = adapter.describe(target());

        assertThat(state.current().label()).isEqualTo("r3");
        assertThat(state.current().images()).containsExactly("shop/agent:2.2");
        assertThat(state.candidates()).extracting(Revision::label).containsExactly("r2", "r1");
        assertThat(state.facts()).contains(new TargetState.Fact("Replicas", "3/3 nodes updated, 3/3 available"));
    }

    @Test
    void aStuckRolloutFailsAtTheTimeoutWithThePodsReason() {
        world.breakImage("shop/agent:2.1");

        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-ds000000001", "r2"), Progress.NONE,
                Duration.ofMillis(800)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("did not complete within")
                .hasMessageContaining("1/3 nodes updated")
                .hasMessageContaining("ImagePullBackOff");
        assertThat(adapter.verify(target()).status()).isEqualTo(Health.Status.PROGRESSING);
    }

    @Test
    void onDeleteIsAWarningOnTheCard() {
        world.client().apps().daemonSets().inNamespace("shop").withName("log-agent").edit(d -> {
            d.getSpec().getUpdateStrategy().setType("OnDelete");
            d.getSpec().getUpdateStrategy().setRollingUpdate(null);
            return d;
        });
        assertThat(adapter.describe(target()).warnings()).anyMatch(w -> w.startsWith("updateStrategy is OnDelete"));
    }
}
