package dev.rewind.adapter.istio;

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
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** reviews: an admin route to stable only, two routes splitting 80/20 between stable and canary, a TCP route. */
class IstioWeightsAdapterIT extends RollbackAdapterContract {

    private static final ResourceDefinitionContext VIRTUAL_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1beta1").withKind("VirtualService")
            .withPlural("virtualservices").withNamespaced(true).build();

    private KubernetesWorld world;
    private IstioWeightsAdapter adapter;

    @BeforeEach
    void world() throws IOException {
        world = new KubernetesWorld();
        try (InputStream yaml = getClass().getResourceAsStream("/istio/reviews-virtualservice.yaml")) {
            GenericKubernetesResource service = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
            world.client().genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("shop").resource(service).create();
        }
        adapter = new IstioWeightsAdapter(world.newClient());
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
        return new Target(IstioWeightsAdapter.TYPE, Map.of("namespace", "shop", "virtualService", "reviews",
                "stableSubset", "stable", "canarySubset", "canary"));
    }

    @Override
    protected Target missingTarget() {
        return new Target(IstioWeightsAdapter.TYPE, Map.of("namespace", "shop", "virtualService", "nosuch",
                "stableSubset", "stable", "canarySubset", "canary"));
    }

    @Override
    protected void assertLiveIs(Revision chosen) {
        assertThat(chosen.id()).isEqualTo("stable-100");
        assertThat(weight(1, 0)).isEqualTo(100);
        assertThat(weight(1, 1)).isEqualTo(0);
        assertThat(weight(2, 0)).isEqualTo(0);
        assertThat(weight(2, 1)).isEqualTo(100);
    }

    @Override
    protected long changesSeen() {
        return world.callsMatching(call -> call.startsWith("PATCH /apis/networking.istio.io/"));
    }

    private Resource<GenericKubernetesResource> reviews() {
        return world.client().genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("shop").withName("reviews");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> spec() {
        return (Map<String, Object>) reviews().get().getAdditionalProperties().get("spec");
    }

    private int weight(int route, int destination) {
        return ((Number) reviews().get().get("spec", "http", route, "route", destination, "weight")).intValue();
    }

    @Test
    void describeShowsTheCanaryShareAndStableAsTheWayBack() {
        TargetState state = adapter.describe(target());

        assertThat(state.current().id()).isEqualTo("canary-20");
        assertThat(state.current().label()).isEqualTo("canary 20%");
        assertThat(state.candidates()).extracting(Revision::id).containsExactly("stable-100");
        assertThat(state.candidates().get(0).label()).isEqualTo("stable 100%");
        assertThat(state.current().attributes()).containsEntry("route primary canary weight", "20%");
        assertThat(state.candidates().get(0).attributes()).containsEntry("route primary canary weight", "0%")
                .containsEntry("route mobile stable weight", "100%");
        assertThat(state.facts()).contains(new TargetState.Fact("Route primary", "stable 80%, canary 20%"),
                new TargetState.Fact("Other http routes", "1 without both subsets, left untouched"));
        assertThat(state.warnings()).containsExactly("2 http routes carry both stable and canary (primary, mobile); "
                + "a rollback sets all of them to stable 100%");
    }

    @Test
    @SuppressWarnings("unchecked")
    void onlyTheWeightsChange() {
        Map<String, Object> before = spec();
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        Outcome outcome = adapter.execute(target(), Change.to("rb-istio000001", "stable-100"), steps::add,
                Duration.ofSeconds(5));

        Map<String, Object> expected = Serialization.unmarshal(Serialization.asJson(before), Map.class);
        setWeight(expected, 1, 0, 100);
        setWeight(expected, 1, 1, 0);
        setWeight(expected, 2, 0, 0);
        setWeight(expected, 2, 1, 100);
        assertThat(spec()).isEqualTo(expected);
        assertThat(reviews().get().getMetadata().getLabels()).containsEntry("app", "reviews");
        assertThat(steps).contains("VirtualService shop/reviews, route primary: stable 80% → 100%, canary 20% → 0%",
                "VirtualService shop/reviews, route mobile: stable 80% → 100%, canary 20% → 0%",
                "2 http routes carried both subsets; all of them now send 100% to stable");
        assertThat(outcome.recorded()).containsEntry("previousWeights",
                "primary: stable 80%, canary 20%; mobile: stable 80%, canary 20%");
    }

    @Test
    void aStableWeightThatIsNotWrittenGetsAdded() {
        reviews().edit(vs -> {
            List<Map<String, Object>> route = vs.get("spec", "http", 2, "route");
            route.get(0).put("weight", 100);
            route.get(1).remove("weight");
            return vs;
        });
        assertThat(adapter.describe(target()).facts()).contains(new TargetState.Fact("Route mobile", "stable 0%, canary 100%"));

        adapter.execute(target(), Change.to("rb-istio000002", "stable-100"), Progress.NONE, Duration.ofSeconds(5));

        assertThat(weight(2, 1)).isEqualTo(100);
        assertThat(weight(2, 0)).isEqualTo(0);
        assertThat(adapter.verify(target()).isHealthy()).isTrue();
    }

    @Test
    void verifyReadsTheWeightsBack() {
        Health before = adapter.verify(target());
        assertThat(before.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(before.detail()).isEqualTo("VirtualService shop/reviews still sends traffic to canary "
                + "(primary: stable 80%, canary 20%; mobile: stable 80%, canary 20%)");

        adapter.execute(target(), Change.to("rb-istio000003", "stable-100"), Progress.NONE, Duration.ofSeconds(5));

        assertThat(adapter.verify(target()).detail()).isEqualTo("VirtualService shop/reviews sends 100% to stable on "
                + "2 weighted routes (primary: stable 100%, canary 0%; mobile: stable 100%, canary 0%)");
        assertThat(adapter.describe(target()).candidates()).isEmpty();
    }

    @Test
    void aThirdDestinationIsRefusedAndNothingChanges() {
        reviews().edit(vs -> {
            List<Map<String, Object>> route = vs.get("spec", "http", 1, "route");
            route.get(0).put("weight", 70);
            route.add(Map.of("destination", Map.of("host", "reviews-legacy"), "weight", 10));
            return vs;
        });

        assertThat(adapter.describe(target()).warnings()).anyMatch(w -> w.startsWith("Route primary also sends 10% elsewhere"));
        assertThatThrownBy(() -> adapter.execute(target(), Change.to("rb-istio000004", "stable-100"), Progress.NONE,
                Duration.ofSeconds(5)))
                .isInstanceOf(AdapterException.class)
                .hasMessageContaining("Route primary of VirtualService shop/reviews also sends 10% to other destinations")
                .hasMessageContaining("changed nothing");
        assertThat(weight(1, 1)).isEqualTo(20);
        assertThat(weight(2, 0)).isEqualTo(20);
    }

    @Test
    void aVirtualServiceWithoutBothSubsetsIsExplained() {
        Target target = new Target(IstioWeightsAdapter.TYPE, Map.of("namespace", "shop", "virtualService", "reviews",
                "stableSubset", "stable", "canarySubset", "preview"));
        assertThatThrownBy(() -> adapter.describe(target)).isInstanceOf(AdapterException.class)
                .hasMessage("VirtualService shop/reviews has no http route whose destinations include both subset stable "
                        + "and subset preview");
    }

    @Test
    void validateNamesTheMissingField() {
        assertThatThrownBy(() -> adapter.validate(new Target(IstioWeightsAdapter.TYPE, Map.of("namespace", "shop",
                "virtualService", "reviews", "stableSubset", "stable"))))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("'canarySubset'");
        assertThatThrownBy(() -> adapter.validate(new Target(IstioWeightsAdapter.TYPE, Map.of("namespace", "shop",
                "virtualService", "reviews", "stableSubset", "v1", "canarySubset", "v1"))))
                .isInstanceOf(Target.InvalidTargetException.class).hasMessageContaining("must differ");
    }

    @SuppressWarnings("unchecked")
    private static void setWeight(Map<String, Object> spec, int route, int destination, int weight) {
        List<Object> http = (List<Object>) spec.get("http");
        List<Object> destinations = (List<Object>) ((Map<String, Object>) http.get(route)).get("route");
        ((Map<String, Object>) destinations.get(destination)).put("weight", weight);
    }
}
