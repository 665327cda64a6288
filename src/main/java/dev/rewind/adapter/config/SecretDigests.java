package dev.rewind.adapter.config;

import dev.rewind.config.Secrets;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * How a Secret's values are digested for the history and the card: HMAC-SHA256, so a digest (the card
 * shows its first characters to the channel) cannot be checked against guessed values offline. The key
 * comes from the target's {@code keyEnv} (the sealing key, domain-separated) when it is set, otherwise
 * from the installation's key kept in the database. New digests start with {@link #PREFIX}; digests
 * recorded before carry none and are plain SHA-256.
 */
final class SecretDigests {

    static final String PREFIX = "hmac:";
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    private SecretDigests(byte[] key) {
        this.key = new SecretKeySpec(key, HMAC);
    }

    /** The digests for {@code target}: keyed from its keyEnv when set, else from {@code installationKey}. */
    static SecretDigests of(ConfigTarget target, Secrets secrets, byte[] installationKey) {
        return target.keyEnv().flatMap(secrets::get)
                .map(text -> new SecretDigests(hmac(text.getBytes(StandardCharsets.UTF_8),
                        "rewind secret value digests".getBytes(StandardCharsets.UTF_8))))
                .orElseGet(() -> new SecretDigests(installationKey));
    }

    /** {@code hmac:<hex>} of {@code context ‖ value}. */
    String digest(byte[] context, byte[] value) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            mac.update(context);
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(value));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always present in the JDK", e);
        }
    }

    static boolean keyed(String digest) {
        return digest.startsWith(PREFIX);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always present in the JDK", e);
        }
    }
}
