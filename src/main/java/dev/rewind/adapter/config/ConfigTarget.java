package dev.rewind.adapter.config;

import dev.rewind.config.Target;

import java.util.List;
import java.util.Optional;

/**
 * A {@code config} target block, read and checked: the object, the Deployments to restart after a
 * rollback, and how a Secret's values are kept.
 *
 * @param keyEnv            the environment variable holding the key that encrypts stored Secret values
 * @param storeSecretValues false keeps only digests of a Secret's values (then it cannot be rolled back)
 */
record ConfigTarget(ConfigRef ref, List<String> restart, Optional<String> keyEnv, boolean storeSecretValues) {

    private static final String NAME = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";

    static ConfigTarget of(Target target) {
        ConfigAdapter.Spec spec = target.as(ConfigAdapter.Spec.class);
        Optional<String> configMap = Optional.ofNullable(spec.configMap());
        Optional<String> secret = Optional.ofNullable(spec.secret());
        if (configMap.isPresent() == secret.isPresent()) {
            throw new Target.InvalidTargetException("target of type " + ConfigAdapter.TYPE
                    + " needs exactly one of 'configMap' or 'secret'");
        }
        ConfigRef ref = configMap.map(name -> new ConfigRef(ConfigRef.Kind.CONFIG_MAP, spec.namespace(), name))
                .orElseGet(() -> new ConfigRef(ConfigRef.Kind.SECRET, spec.namespace(), secret.orElseThrow()));
        List<String> restart = Optional.ofNullable(spec.restart()).orElse(List.of());
        for (String deployment : restart) {
            if (deployment == null || !deployment.matches(NAME)) {
                throw new Target.InvalidTargetException("target of type " + ConfigAdapter.TYPE + ": restart lists '"
                        + deployment + "', which is not a Deployment name");
            }
        }
        return new ConfigTarget(ref, List.copyOf(restart), Optional.ofNullable(spec.keyEnv()),
                !Boolean.FALSE.equals(spec.storeSecretValues()));
    }

    boolean isSecret() {
        return ref.kind() == ConfigRef.Kind.SECRET;
    }
}
