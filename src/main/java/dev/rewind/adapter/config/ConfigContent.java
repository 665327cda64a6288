package dev.rewind.adapter.config;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The content of a live ConfigMap or Secret as a {@link ConfigVersion}: its data (ConfigMap) or the
 * digests of its values (Secret), and the id that names that content.
 */
final class ConfigContent {

    /** Values up to this long, on one line, are shown as they are; longer ones by size and digest. */
    private static final int SHOWN_VALUE = 120;
    static final int ID_LENGTH = 12;

    private ConfigContent() {
    }

    /**
     * The live content of {@code object}, not yet numbered; a Secret's values digested with {@code digests}
     * and its data sealed when a sealer is given.
     */
    static ConfigVersion observe(ConfigRef ref, HasMetadata object, Instant at, Optional<SecretSealer> sealer,
                                 SecretDigests digests) {
        return observe(ref, object, at, sealer, Optional.of(digests));
    }

    /**
     * The live content as versions recorded before digests were keyed describe it (plain SHA-256), so
     * live content can still be matched with them. Never stored.
     */
    static ConfigVersion observeUnkeyed(ConfigRef ref, HasMetadata object, Instant at) {
        return observe(ref, object, at, Optional.empty(), Optional.empty());
    }

    /** Whether {@code version} is a Secret recorded with unkeyed digests (before they were keyed). */
    static boolean unkeyed(ConfigVersion version) {
        return !version.keyHashes().isEmpty() && version.keyHashes().values().stream().noneMatch(SecretDigests::keyed);
    }

    private static ConfigVersion observe(ConfigRef ref, HasMetadata object, Instant at, Optional<SecretSealer> sealer,
                                         Optional<SecretDigests> digests) {
        if (object instanceof Secret secret) {
            Map<String, String> data = orEmpty(secret.getData());
            Map<String, String> hashes = keyHashes(ref, data, digests);
            String id = secretId(hashes);
            return new ConfigVersion(ref, id, 0, at, at, Map.of(), Map.of(), hashes,
                    sealer.map(s -> s.seal(data, ref, id)));
        }
        ConfigMap map = (ConfigMap) object;
        Map<String, String> data = orEmpty(map.getData());
        Map<String, String> binary = orEmpty(map.getBinaryData());
        return new ConfigVersion(ref, configMapId(data, binary), 0, at, at, data, binary, Map.of(), Optional.empty());
    }

    /** Whether {@code live} holds exactly the content of {@code version}. */
    static boolean same(ConfigVersion live, ConfigVersion version) {
        return live.data().equals(version.data()) && live.binaryData().equals(version.binaryData())
                && live.keyHashes().equals(version.keyHashes());
    }

    /**
     * The version flattened for the card's "what would change": a ConfigMap's values (long ones by
     * size and digest), a Secret's keys with a digest only, so a change shows and a value never does.
     */
    static Map<String, String> attributes(ConfigVersion version) {
        Map<String, String> out = new LinkedHashMap<>();
        version.data().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put("key " + e.getKey(), shown(e.getValue())));
        version.binaryData().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put("binary key " + e.getKey(), Base64.getDecoder().decode(e.getValue()).length
                        + " bytes, sha256:" + sha256(e.getValue()).substring(0, ID_LENGTH)));
        version.keyHashes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put("key " + e.getKey(), SecretDigests.keyed(e.getValue())
                        ? "value hmac:" + e.getValue().substring(SecretDigests.PREFIX.length()).substring(0, ID_LENGTH)
                        : "value sha256:" + e.getValue().substring(0, ID_LENGTH)));
        return out;
    }

    private static String shown(String value) {
        if (value.length() <= SHOWN_VALUE && value.indexOf('\n') < 0) {
            return value;
        }
        long lines = value.lines().count();
        return lines + " line" + (lines == 1 ? "" : "s") + ", " + value.getBytes(StandardCharsets.UTF_8).length
                + " bytes, sha256:" + sha256(value).substring(0, ID_LENGTH);
    }

    /** Each key's value digested with the object's name and the key, so equal values elsewhere do not match. */
    private static Map<String, String> keyHashes(ConfigRef ref, Map<String, String> base64Data,
                                                 Optional<SecretDigests> digests) {
        Map<String, String> hashes = new TreeMap<>();
        base64Data.forEach((key, value) -> {
            byte[] decoded = Base64.getDecoder().decode(value == null ? "" : value);
            byte[] prefix = (ref.namespace() + "/" + ref.name() + "/" + key + "\0").getBytes(StandardCharsets.UTF_8);
            hashes.put(key, digests.map(d -> d.digest(prefix, decoded)).orElseGet(() -> sha256(prefix, decoded)));
        });
        return hashes;
    }

    private static String secretId(Map<String, String> hashes) {
        StringBuilder text = new StringBuilder("Secret\n");
        new TreeMap<>(hashes).forEach((key, hash) -> text.append(key).append('\0').append(hash).append('\0'));
        return sha256(text.toString()).substring(0, ID_LENGTH);
    }

    private static String configMapId(Map<String, String> data, Map<String, String> binary) {
        StringBuilder text = new StringBuilder("ConfigMap\n");
        new TreeMap<>(data).forEach((key, value) -> text.append("d:").append(key).append('\0').append(value).append('\0'));
        new TreeMap<>(binary).forEach((key, value) -> text.append("b:").append(key).append('\0').append(value).append('\0'));
        return sha256(text.toString()).substring(0, ID_LENGTH);
    }

    private static Map<String, String> orEmpty(Map<String, String> values) {
        Map<String, String> copy = new TreeMap<>();
        if (values != null) {
            values.forEach((key, value) -> copy.put(key, value == null ? "" : value));
        }
        return copy;
    }

    private static String sha256(String text) {
        return sha256(new byte[0], text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] prefix, byte[] bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(prefix);
            return HexFormat.of().formatHex(digest.digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
