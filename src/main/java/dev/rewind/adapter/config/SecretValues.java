package dev.rewind.adapter.config;

import dev.rewind.config.Secrets;

import java.util.Optional;

/**
 * Whether a Secret target's values can be kept (encrypted) in the history, and if not, why: then
 * only digests are stored and the Secret cannot be rolled back by Rewind.
 */
record SecretValues(Optional<SecretSealer> sealer, String whyNot) {

    static SecretValues of(ConfigTarget target, Secrets secrets) {
        if (!target.isSecret()) {
            return new SecretValues(Optional.empty(), "");
        }
        if (!target.storeSecretValues()) {
            return new SecretValues(Optional.empty(), "the target says storeSecretValues: false");
        }
        if (target.keyEnv().isEmpty()) {
            return new SecretValues(Optional.empty(), "no keyEnv is configured to encrypt them");
        }
        String variable = target.keyEnv().get();
        return secrets.get(variable)
                .map(key -> new SecretValues(Optional.of(new SecretSealer(key)), ""))
                .orElseGet(() -> new SecretValues(Optional.empty(), "environment variable " + variable
                        + " (keyEnv) is not set"));
    }
}
