package dev.rewind.config;

import java.util.Map;
import java.util.Optional;

/**
 * Secrets named in {@code rewind.yml} by the environment variable that holds them ({@code tokenEnv},
 * {@code secretEnv}, {@code keyEnv}). The values never leave this lookup except into the call that
 * needs them; they are never logged or shown.
 */
@FunctionalInterface
public interface Secrets {

    Optional<String> get(String variable);

    /** The value, or a message that names the variable (never the value) when it is missing. */
    default String require(String variable, String usedFor) {
        return get(variable).orElseThrow(() -> new ConfigException("environment variable " + variable
                + " is not set (needed for " + usedFor + ")"));
    }

    static Secrets fromEnvironment() {
        return of(System.getenv());
    }

    static Secrets of(Map<String, String> values) {
        return variable -> Optional.ofNullable(values.get(variable)).filter(v -> !v.isBlank());
    }
}
