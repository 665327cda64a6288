package dev.rewind.adapter.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The signature on both directions of the webhook wire format: header {@code X-Rewind-Signature}
 * with {@code sha256=<hex HMAC-SHA256(secret, raw body)>}.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-Rewind-Signature";
    public static final String RUN_HEADER = "X-Rewind-Run";
    private static final String PREFIX = "sha256=";

    private WebhookSignature() {
    }

    /** The header value for {@code body}. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Whether {@code header} is the signature of {@code body} under {@code secret}; compared in constant time. */
    public static boolean matches(String secret, byte[] body, String header) {
        if (header == null || !header.trim().toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
            return false;
        }
        byte[] expected = sign(secret, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = header.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }
}
