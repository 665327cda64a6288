package dev.rewind.adapter.config;

import java.util.List;
import java.util.Optional;

/**
 * The versions Rewind has observed of its ConfigMaps and Secrets: Kubernetes keeps none, so this is
 * the history the {@code config} adapter rolls back through. Implementations are shared by several
 * replicas and must be safe to call concurrently.
 */
public interface ConfigHistory {

    /**
     * Records an observed version. Idempotent: a content already recorded for the object keeps its
     * number and first-seen time, and only its last-seen time moves forward (and a sealed copy is
     * added if it had none).
     *
     * @return the version as stored, with its number
     */
    ConfigVersion record(ConfigVersion observed);

    /** Every recorded version of the object, the one most recently seen live first; empty if none. */
    List<ConfigVersion> versions(ConfigRef ref);

    /** The recorded version of the object with this id. */
    Optional<ConfigVersion> find(ConfigRef ref, String id);

    /**
     * The installation's key for digests of Secret values whose target names no {@code keyEnv}: made
     * once, the same for every replica, kept with the history.
     */
    byte[] digestKey();
}
