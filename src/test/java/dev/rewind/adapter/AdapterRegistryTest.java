package dev.rewind.adapter;

import dev.rewind.adapter.kubernetes.KubernetesDeploymentAdapter;
import dev.rewind.config.ConfigException;
import dev.rewind.config.Target;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry binds every target block into its adapter's spec at start-up, without I/O. */
class AdapterRegistryTest {

    private static final String PLACE = "rewind.yml.services[0] (checkout).target";

    // no Kubernetes call is made while validating
    private final AdapterRegistry registry = new AdapterRegistry(List.of(new KubernetesDeploymentAdapter(null)));
    private final List<String> warnings = new ArrayList<>();

    private static Target deployment(Map<String, Object> extra) {
        Map<String, Object> spec = new LinkedHashMap<>(Map.of("namespace", "shop", "deployment", "checkout"));
        spec.putAll(extra);
        return new Target(KubernetesDeploymentAdapter.TYPE, spec);
    }

    @Test
    void aKnownBlockPassesQuietly() {
        registry.validate(deployment(Map.of()), PLACE, warnings::add);
        assertThat(warnings).isEmpty();
    }

    @Test
    void unknownKeysOfATargetAreWarnedAboutWithTheirPlace() {
        registry.validate(deployment(Map.of("namspace", "shop")), PLACE, warnings::add);
        assertThat(warnings).containsExactly(
                "rewind.yml.services[0] (checkout).target.namspace is not a setting Rewind knows; it is ignored");
    }

    @Test
    void aMissingFieldIsNamedAsAdaptersAlwaysDid() {
        Target target = new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", "shop", "deployment", " "));
        assertThatThrownBy(() -> registry.validate(target, PLACE, warnings::add))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessage("target of type kubernetes-deployment needs 'deployment'");
    }

    @Test
    void aValueOfTheWrongKindIsNamedByItsPlace() {
        assertThatThrownBy(() -> registry.validate(deployment(Map.of("deployment", List.of("a", "b"))), PLACE, warnings::add))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rewind.yml.services[0] (checkout).target.deployment must be a single value");
        assertThatThrownBy(() -> registry.validate(deployment(Map.of("deployment", List.of("a", "b")))))
                .isInstanceOf(Target.InvalidTargetException.class)
                .hasMessage("target of type kubernetes-deployment: 'deployment' must be a single value");
    }

    @Test
    void anUnknownTypeListsTheKnownOnes() {
        assertThatThrownBy(() -> registry.validate(new Target("kubernetes-deploy", Map.of()), PLACE, warnings::add))
                .hasMessage("unknown target type 'kubernetes-deploy'; known types: kubernetes-deployment");
    }

    @Test
    void aTypedSpecReadsTrimmedText() {
        Target target = new Target(KubernetesDeploymentAdapter.TYPE, Map.of("namespace", " shop ", "deployment", "checkout"));
        assertThat(target.as(KubernetesDeploymentAdapter.Spec.class))
                .isEqualTo(new KubernetesDeploymentAdapter.Spec("shop", "checkout"));
    }
}
