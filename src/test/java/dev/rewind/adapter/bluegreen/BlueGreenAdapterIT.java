package dev.rewind.adapter.bluegreen;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Blue is live with a bad release, green is the standby holding the last good one, scaled to zero
 * as many teams keep it between releases.
 */
class BlueGreenAdapterIT extends RollbackAdapterContract {

    private KubernetesWorld world;
    private BlueGreenAdapter adapter;

    @BeforeEach
    void world() {
        world = new KubernetesWorld();
        world.deployment("shop", "storefront-blue", Map.of("app", "storefront", "slot", "blue"), 3, "shop/storefront:2.0");
        world.deployment("shop", "storefront-green", Map.of("app", "storefront", "slot", "green"), 0, "shop/storefront:1.9");
        world.service("shop", "storefront", Map.of("app", "storefront", "slot", "blue"));
        adapter = new BlueGreenAdapter(world.newClient());
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
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("namespace", "shop", "service", "storefront",
                "slotLabel", "slot", "slots", orderedSlots()));
        spec.putAll(extra);
        return new Target(BlueGreenAdapter.TYPE, spec);
    }

    @Override
    protected Target missingTarget() {
        return new Target(BlueGreenAdapter.TYPE, Map.of("namespace", "shop", "service", "nosuch",
                "slots", orderedSlots()));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(selector().get("slot")).isEqualTo(chosen.id());
        var deployment = world.get("shop", "storefront-" + chosen.id());
        assertThat(deployment.getStatus().getReadyReplicas()).isEqualTo(deployment.getSpec().getReplicas()).isPositive();
    }

    @Override
    protected long changesSeen() {
        return world.callsMatching(call -> call.startsWith("PATCH /api/v1/namespaces/shop/services/"));
    }

    private Map<String, String> selector() {
        return world.client().services().inNamespace("shop").withName("storefront").get().getSpec().getSelector();
    }

    @Test
    void describeShowsBothSlotsTheirImagesAndTheScaledDownStandby() {
        TargetState state = adapter.describe(target());

        assertThat(state.current().id()).isEqualTo("blue");
        assertThat(state.current().images()).containsExactly("shop/storefront:2.0");
        assertThat(state.candidates()).extracting(Revision::id).containsExactly("green");
        assertThat(state.candidates().get(0).images()).containsExactly("shop/storefront:1.9");
        assertThat(state.facts()).contains(new TargetState.Fact("Live slot",
                "blue (storefront-blue: shop/storefront:2.0, 3/3 updated, 3/3 ready, 3/3 available)"));
        assertThat(state.facts()).contains(new TargetState.Fact("Standby slot",
                "green (storefront-green: shop/storefront:1.9, scaled to 0 replicas)"));
        assertThat(state.warnings()).containsExactly("Slot green (Deployment storefront-green) is scaled down to 0: "
                + "a switch scales it up to 3 first and waits until it is ready");
    }

    @Test
    void aScaledDownStandbyIsScaledUpAndReadyBeforeTrafficMoves() {
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(target(), change("green"), steps::add, Duration.ofSeconds(10));

        assertThat(world.get("shop", "storefront-green").getSpec().getReplicas()).isEqualTo(3);
        assertThat(selector()).containsEntry("slot", "green").containsEntry("app", "storefront");
        assertThat(steps.get(0)).isEqualTo("Slot green: Deployment shop/storefront-green scaled from 0 to 3 replicas");
        assertThat(steps).anyMatch(s -> s.contains("3/3 ready"));
        assertThat(steps.get(steps.size() - 1)).isEqualTo("Service shop/storefront now selects slot=green (was slot=blue)");
        assertThat(outcome.recorded()).containsEntry("previousSelector", "app=storefront,slot=blue")
                .containsEntry("previousSlot", "blue").containsEntry("scaledUp", "storefront-green 0→3");
        assertThat(outcome.summary()).contains("switched to slot green").contains("shop/storefront:1.9");
    }

    @Test
    void theSwitchCanBeUndoneAfterwardsButNotOverSomeoneElsesChange() {
        Outcome outcome = adapter.execute(target(), change("green"), Progress.NONE, Duration.ofSeconds(10));
        var followUp = adapter.followUp(target(), outcome.recorded()).orElseThrow();
        assertThat(followUp.action()).isEqualTo("Switch back to blue");
        assertThat(followUp.description()).contains("selects slot green since the rollback");

        String said = adapter.completeFollowUp(target(), outcome.recorded());

        assertThat(said).contains("selects slot blue again (was green)");
        assertThat(selector()).containsEntry("slot", "blue").containsEntry("app", "storefront");
        assertThat(adapter.completeFollowUp(target(), outcome.recorded())).contains("already selects slot blue");

        adapter.execute(target(), change("green"), Progress.NONE, Duration.ofSeconds(10));
        world.client().services().inNamespace("shop").withName("storefront").edit(service -> {
            service.getSpec().getSelector().put("slot", "purple");
            return service;
        });
        assertThatThrownBy(() -> adapter.completeFollowUp(target(), outcome.recorded()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("selects slot purple now, not slot green as the rollback left it");
        assertThat(selector()).containsEntry("slot", "purple");
    }

    @Test
    void switchingBackIsRefusedWhenTheOldSlotWasRedeployedMeanwhile() {
        Outcome outcome = adapter.execute(target(), change("green"), Progress.NONE, Duration.ofSeconds(10));
        assertThat(outcome.recorded()).containsEntry("previousImages", "shop/storefront:2.0");
        // The team ships a fix into the standby to test it.
        world.client().apps().deployments().inNamespace("shop").withName("storefront-blue").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop/storefront:2.1-rc1");
            return d;
        });

        assertThatThrownBy(() -> adapter.completeFollowUp(target(), outcome.recorded()))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("runs shop/storefront:2.1-rc1 now, not shop/storefront:2.0");
        assertThat(selector()).containsEntry("slot", "green");
    }

    @Test
    void theReplicasFieldDecidesHowFarAStandbyIsScaled() {
        adapter.execute(target(Map.of("replicas", 2)), change("green"), Progress.NONE, Duration.ofSeconds(10));
        assertThat(world.get("shop", "storefront-green").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void aStandbyThatNeverBecomesReadyLeavesTrafficWhereItWas() {
        world.crashPods("shop", "storefront-green");

        assertThatThrownBy(() -> adapter.execute(target(), change("green"), Progress.NONE, Duration.ofMillis(800)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Slot green (Deployment shop/storefront-green) is not ready")
                .hasMessageContaining("was left on slot blue")
                .hasMessageContaining("CrashLoopBackOff");
        assertThat(selector()).containsEntry("slot", "blue");
    }

    @Test
    void aNotReadyStandbyIsAWarningOnTheCard() {
        world.scale("shop", "storefront-green", 3);
        world.crashPods("shop", "storefront-green");

        assertThat(adapter.describe(target()).warnings()).containsExactly("Slot green (Deployment storefront-green) "
                + "is not ready: 3/3 updated, 0/3 ready, 0/3 available; a switch waits for it");
    }

    @Test
    void aServiceThatSelectsNoKnownSlotIsWarnedAboutAndUnhealthy() {
        world.client().services().inNamespace("shop").withName("storefront").edit(s -> {
            s.getSpec().setSelector(Map.of("app", "storefront", "slot", "purple"));
            return s;
        });

        TargetState state = adapter.describe(target());

        assertThat(state.current().label()).isEqualTo("unknown slot purple");
        assertThat(state.candidates()).extracting(Revision::id).containsExactly("blue", "green");
        assertThat(state.warnings()).contains("Service shop/storefront selects slot=purple, which is not one of the "
                + "configured slots (blue, green)");
        assertThat(adapter.verify(target()).status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(adapter.verify(target()).detail()).contains("unknown slot slot=purple");
    }

    @Test
    void aSelectorWithoutTheSlotLabelGetsItAdded() {
        world.client().services().inNamespace("shop").withName("storefront").edit(s -> {
            s.getSpec().setSelector(Map.of("app", "storefront"));
            return s;
        });
        assertThat(adapter.describe(target()).warnings()).anyMatch(w -> w.contains("selects no slot"));

        adapter.execute(target(), change("blue"), Progress.NONE, Duration.ofSeconds(5));

        assertThat(selector()).containsEntry("slot", "blue").containsEntry("app", "storefront");
    }

    @Test
    void aSlotLabelWithASlashIsEscapedInThePatch() {
        world.client().services().inNamespace("shop").withName("storefront").edit(s -> {
            s.getSpec().setSelector(Map.of("app", "storefront", "rewind.dev/slot", "blue"));
            return s;
        });
        Target target = target(Map.of("slotLabel", "rewind.dev/slot"));

        adapter.execute(target, change("green"), Progress.NONE, Duration.ofSeconds(10));

        assertThat(selector()).containsEntry("rewind.dev/slot", "green").doesNotContainKey("slot");
        assertThat(adapter.verify(target).isHealthy()).isTrue();
    }

    @Test
    void verifyNamesTheLiveSlotAndItsReadiness() {
        Health health = adapter.verify(target());
        assertThat(health.isHealthy()).isTrue();
        assertThat(health.detail()).isEqualTo("Service shop/storefront selects slot blue; Deployment storefront-blue: "
                + "3/3 updated, 3/3 ready, 3/3 available");
    }

    @Test
    void validateNamesTheMissingOrWrongField() {
        assertThatThrownBy(() -> adapter.validate(new Target(BlueGreenAdapter.TYPE, Map.of("namespace", "shop",
                "service", "storefront")))).isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'slots'");
        assertThatThrownBy(() -> adapter.validate(target(Map.of("replicas", "many"))))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'replicas'");
        assertThatThrownBy(() -> adapter.validate(new Target(BlueGreenAdapter.TYPE, Map.of("namespace", "shop",
                "slots", Map.of("blue", "a", "green", "b"))))).hasMessageContaining("'service'");
    }

    private static Change change(String slot) {
        return Change.to("rb-bluegreen01", slot);
    }

    /** Slots in the order written, as rewind.yml gives them. */
    private static Map<String, Object> orderedSlots() {
        Map<String, Object> slots = new java.util.LinkedHashMap<>();
        slots.put("blue", "storefront-blue");
        slots.put("green", "storefront-green");
        return slots;
    }
}
