package dev.rewind.adapter.config;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One content of a ConfigMap or Secret as Rewind observed it. Kubernetes keeps no history of these
 * objects, so these records are the only way back.
 *
 * @param id         a digest of the content: the same content always has the same id
 * @param number     1, 2, 3… in the order versions were first seen (the "v3" people see); assigned by the
 *                   {@link ConfigHistory}, 0 on an observation not yet recorded
 * @param firstSeen  when this content was first observed
 * @param lastSeen   when it was last observed becoming live; orders the versions
 * @param data       a ConfigMap's {@code data}; always empty for a Secret (its values are never kept in clear)
 * @param binaryData a ConfigMap's {@code binaryData} (base64, as the API gives it)
 * @param keyHashes  a Secret's keys, each with the SHA-256 digest of its value; empty for a ConfigMap
 * @param sealed     a Secret's {@code data}, AES-GCM encrypted; empty when only the digests are kept
 */
public record ConfigVersion(
        ConfigRef ref,
        String id,
        int number,
        Instant firstSeen,
        Instant lastSeen,
        Map<String, String> data,
        Map<String, String> binaryData,
        Map<String, String> keyHashes,
        Optional<String> sealed) {

    public ConfigVersion {
        data = Map.copyOf(new TreeMap<>(data));
        binaryData = Map.copyOf(new TreeMap<>(binaryData));
        keyHashes = Map.copyOf(new TreeMap<>(keyHashes));
    }

    /** The same version, numbered and timed as the history stored it. */
    public ConfigVersion stored(int number, Instant firstSeen, Instant lastSeen, Optional<String> sealed) {
        return new ConfigVersion(ref, id, number, firstSeen, lastSeen, data, binaryData, keyHashes, sealed);
    }

    /** Whether the values of this version can be written back (always for a ConfigMap). */
    public boolean restorable() {
        return ref.kind() == ConfigRef.Kind.CONFIG_MAP || sealed.isPresent();
    }
}
