package dev.rewind.adapter.config;

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
import dev.rewind.assess.ChangePreview;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The config adapter on a ConfigMap: the contract, the recorded history, the restart and its idempotency. */
class ConfigAdapterIT extends RollbackAdapterContract {

    private static final ConfigRef REF = new ConfigRef(ConfigRef.Kind.CONFIG_MAP, "shop", "payments-config");
    private static final List<Map<String, String>> VERSIONS = List.of(
            Map.of("LOG_LEVEL", "info", "TIMEOUT", "5s"),
            Map.of("LOG_LEVEL", "info", "TIMEOUT", "3s", "RETRIES", "2"),
            Map.of("LOG_LEVEL", "debug", "TIMEOUT", "1s", "RETRIES", "2"));

    private ConfigWorld world;

    @BeforeEach
    void world() {
        world = ConfigWorld.withKey();
        world.kubernetes.configMap("shop", "payments-config", VERSIONS.get(0));
        world.record(target());
        world.awaitVersions(REF, 1);
        for (int i = 1; i < VERSIONS.size(); i++) {
            world.kubernetes.configMap("shop", "payments-config", VERSIONS.get(i));
            world.awaitVersions(REF, i + 1);
        }
    }

    @AfterEach
    void close() {
        world.close();
    }

    @Override
    protected RollbackAdapter adapter() {
        return world.adapter;
    }

    @Override
    protected Target target() {
        return new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "configMap", "payments-config",
                "restart", List.of("payments")));
    }

    @Override
    protected Target missingTarget() {
        return new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "configMap", "nosuch"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        int number = Integer.parseInt(chosen.label().substring(1, chosen.label().indexOf(' ')));
        assertThat(world.kubernetes.client().configMaps().inNamespace("shop").withName("payments-config").get().getData())
                .isEqualTo(VERSIONS.get(number - 1));
    }

    /** The ConfigMap's resourceVersion and the Deployment's restart stamp: both move only on a change. */
    @Override
    protected long changesSeen() {
        String resourceVersion = world.kubernetes.client().configMaps().inNamespace("shop").withName("payments-config")
                .get().getMetadata().getResourceVersion();
        return Objects.hash(resourceVersion, world.paymentsTemplateAnnotations().get(WorkloadRestarts.RESTARTED_AT));
    }

    @Test
    void describeListsTheRecordedVersionsWithTheirValues() {
        TargetState state = world.adapter.describe(target());

        assertThat(state.target()).isEqualTo("ConfigMap shop/payments-config");
        assertThat(state.current().label()).matches("v3 \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)");
        assertThat(state.current().images()).containsExactly("configmap/payments-config@" + state.current().id());
        assertThat(state.candidates()).extracting(r -> r.label().substring(0, 2)).containsExactly("v2", "v1");
        assertThat(state.current().attributes()).containsEntry("key LOG_LEVEL", "debug");
        assertThat(ChangePreview.between(state.current(), state.previous().orElseThrow()))
                .extracting(ChangePreview.Change::describe)
                .containsExactly("key LOG_LEVEL: debug → info", "key TIMEOUT: 1s → 3s");
        assertThat(state.facts()).contains(new TargetState.Fact("Restarts", "Deployments payments"));
        assertThat(state.warnings()).isEmpty();
        assertThat(state.candidate("v1")).as("people may type the short label").isPresent();
    }

    @Test
    void rollbackRestoresTheDataAndRestartsTheDeploymentOncePerRun() {
        Revision v1 = world.adapter.describe(target()).candidates().get(1);
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        int setsBefore = world.kubernetes.replicaSets("shop").size();

        Outcome outcome = world.adapter.execute(target(), Change.to("rb-restart0001", v1.id()), steps::add,
                Duration.ofSeconds(10));

        assertThat(outcome.summary()).startsWith("ConfigMap shop/payments-config rolled back from v3")
                .contains("to v1").contains("keys changed: LOG_LEVEL, RETRIES, TIMEOUT").contains("restarted payments");
        assertThat(world.paymentsTemplateAnnotations()).containsEntry(WorkloadRestarts.RESTARTED_FOR, "rb-restart0001")
                .containsKey(WorkloadRestarts.RESTARTED_AT);
        assertThat(world.kubernetes.replicaSets("shop")).hasSize(setsBefore + 1);
        assertThat(steps).anyMatch(s -> s.contains("data of v1") && s.contains("restored"))
                .anyMatch(s -> s.contains("Deployment shop/payments restarted"))
                .anyMatch(s -> s.contains("Deployment shop/payments: ") && s.contains("available"));
        assertThat(world.adapter.verify(target()).status()).isEqualTo(Health.Status.HEALTHY);
        assertThat(world.adapter.verify(target()).detail()).contains("is at v1");

        steps.clear();
        world.adapter.execute(target(), Change.to("rb-restart0001", v1.id()), steps::add, Duration.ofSeconds(10));
        assertThat(world.kubernetes.replicaSets("shop")).as("no second restart for the same run").hasSize(setsBefore + 1);
        assertThat(steps).anyMatch(s -> s.contains("already has the data of v1"))
                .anyMatch(s -> s.contains("already restarted for run rb-restart0001"));
    }

    @Test
    void aRestoredVersionBecomesCurrentAndTheOneItReplacedIsOfferedFirst() {
        TargetState before = world.adapter.describe(target());
        Revision v1 = before.candidates().get(1);
        world.adapter.execute(target(), Change.to("rb-order000001", v1.id()), Progress.NONE, Duration.ofSeconds(10));

        TargetState after = world.adapter.describe(target());
        assertThat(after.current().id()).isEqualTo(v1.id());
        assertThat(after.current().label()).startsWith("v1 ");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(world.adapter.describe(target()).candidates()).extracting(r -> r.label().substring(0, 2))
                        .containsExactly("v3", "v2"));
    }

    @Test
    void aMissingDeploymentInRestartIsRefusedBeforeAnythingChanges() {
        Target target = new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop", "configMap", "payments-config",
                "restart", List.of("payments", "ledger")));
        Revision v2 = world.adapter.describe(target).previous().orElseThrow();
        assertThat(world.adapter.describe(target).warnings()).anyMatch(w -> w.contains("shop/ledger (listed in restart) not found"));

        assertThatThrownBy(() -> world.adapter.execute(target, Change.to("rb-missing0001", v2.id()), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Deployment shop/ledger (listed in restart) not found")
                .hasMessageContaining("was not changed");
        assertThat(world.kubernetes.client().configMaps().inNamespace("shop").withName("payments-config").get().getData())
                .isEqualTo(VERSIONS.get(2));
    }

    @Test
    void aChangeTheRecorderHasNotSeenYetIsCalledUnrecorded() {
        world.recorder.close();
        world.kubernetes.configMap("shop", "payments-config", Map.of("LOG_LEVEL", "trace"));

        TargetState state = world.adapter.describe(target());
        assertThat(state.current().label()).isEqualTo("live (not recorded yet)");
        assertThat(state.candidates()).hasSize(3);
        assertThat(state.warnings()).anyMatch(w -> w.contains("has not been recorded yet"));
    }

    @Test
    void anImmutableConfigMapIsRefusedWithTheWayOut() {
        world.kubernetes.client().configMaps().inNamespace("shop").withName("payments-config").edit(cm -> {
            cm.setImmutable(true);
            return cm;
        });
        Revision v2 = world.adapter.describe(target()).previous().orElseThrow();
        assertThat(world.adapter.describe(target()).warnings()).anyMatch(w -> w.contains("immutable"));
        assertThatThrownBy(() -> world.adapter.execute(target(), Change.to("rb-immutable01", v2.id()), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("is immutable");
    }

    @Test
    void validateNamesTheMissingField() {
        assertThatThrownBy(() -> world.adapter.validate(new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop"))))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("exactly one of 'configMap' or 'secret'");
        assertThatThrownBy(() -> world.adapter.validate(new Target(ConfigAdapter.TYPE, Map.of("namespace", "shop",
                "secret", "s", "storeSecretValues", "sometimes"))))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessageContaining("storeSecretValues");
    }
}
