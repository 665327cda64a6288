package dev.rewind.adapter.kubernetes;

import dev.rewind.adapter.AdapterException;
import dev.rewind.adapter.Change;
import dev.rewind.adapter.Progress;
import dev.rewind.adapter.Revision;
import dev.rewind.adapter.RollbackAdapter;
import dev.rewind.adapter.RollbackAdapterContract;
import dev.rewind.config.Target;
import dev.rewind.adapter.TargetState;
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

class KubernetesDeploymentAdapterIT extends RollbackAdapterContract {

    private KubernetesWorld world;
    private KubernetesDeploymentAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        world.deployment("shop", "checkout", 3, "shop/checkout:1.4.0", "shop/checkout:1.4.1", "shop/checkout:1.4.2");
        adapter = new KubernetesDeploymentAdapter(world.newClient());
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
        return new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", "shop", "deployment", "checkout"));
    }

    @Override
    protected Target missingTarget() {
        return new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", "shop", "deployment", "nosuch"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(world.image("shop", "checkout")).isEqualTo(chosen.images().get(0));
    }

    @Test
    void describeReadsRevisionsFromTheReplicaSets() {
        TargetState state = adapter.describe(target());
        assertThat(state.current().label()).isEqualTo("r3");
        assertThat(state.current().images()).containsExactly("shop/checkout:1.4.2");
        assertThat(state.candidates()).extracting(Revision::label).containsExactly("r2", "r1");
        assertThat(state.candidates().get(0).images()).containsExactly("shop/checkout:1.4.1");
        assertThat(state.current().attributes()).containsKey("container app env FEATURE");
        assertThat(state.current().attributes().get("container app env FEATURE")).startsWith("value sha256:")
                .doesNotContain("v2");
        assertThat(state.warnings()).isEmpty();
    }

    @Test
    void rollingBackToAnOlderRevisionRenumbersItAsTheControllerDoes() {
        adapter.execute(target(), Change.to("rb-test000001", "1"), Progress.NONE, Duration.ofSeconds(10));
        TargetState after = adapter.describe(target());
        assertThat(after.current().images()).containsExactly("shop/checkout:1.4.0");
        assertThat(after.current().label()).isEqualTo("r4");
        assertThat(world.get("shop", "checkout").getMetadata().getAnnotations().get("kubernetes.io/change-cause"))
                .contains("rolled back from r3 to r1");
    }

    @Test
    void aStuckRolloutFailsWithThePodsReason() {
        world.breakImage("shop/checkout:1.4.1");
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-test000002", "2"), steps::add, Duration.ofSeconds(10)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("progress deadline")
                .hasMessageContaining("ImagePullBackOff")
                .hasMessageContaining("Back-off pulling image");
    }

    @Test
    void aRolloutThatDoesNotFinishInTimeFailsSayingSo() {
        world.pauseController(true);
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-test000003", "2"), Progress.NONE,
                Duration.ofMillis(700)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("did not complete within");
    }

    @Test
    void aPausedDeploymentIsRefused() {
        world.client().apps().deployments().inNamespace("shop").withName("checkout").edit(d -> {
            d.getSpec().setPaused(true);
            return d;
        });
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-test000004", "2"), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("paused");
        assertThat(world.image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }

    @Test
    void gitOpsManagedDeploymentsCarryAWarning() {
        world.client().apps().deployments().inNamespace("shop").withName("checkout").edit(d -> {
            d.getMetadata().getLabels();
            d.getMetadata().setLabels(Map.of("argocd.argoproj.io/instance", "shop"));
            return d;
        });
        assertThat(adapter.describe(target()).warnings()).anyMatch(w -> w.contains("Argo CD"));
    }
}
