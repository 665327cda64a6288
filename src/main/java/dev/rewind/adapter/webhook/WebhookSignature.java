package dev.rewind.adapter.webhook;

import dev.rewind.config.DurationText;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The signature on both directions of the webhook wire format (v2): headers {@code X-Rewind-Run},
 * {@code X-Rewind-Timestamp} (unix seconds) and {@code X-Rewind-Signature} with
 * {@code v2=<hex HMAC-SHA256(secret, "v2:" + timestamp + ":" + runId + ":" + raw body)>}. Signing the
 * run id and the time, not only the body, is what keeps a captured report from being replayed onto
 * another run or, after {@link #TOLERANCE}, onto the same one. The v1 format ({@code sha256=} over the
 * body alone) is refused.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-Rewind-Signature";
    public static final String RUN_HEADER = "X-Rewind-Run";
    public static final String TIMESTAMP_HEADER = "X-Rewind-Timestamp";
    /** How far a signed timestamp may be from Rewind's clock, in the past or the future. */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);

    private static final String PREFIX = "v2=";
    private static final String V1_PREFIX = "sha256=";
    private static final Pattern UNIX_SECONDS = Pattern.compile("[0-9]{1,12}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private WebhookSignature() {
    }

    /** The {@code X-Rewind-Signature} value for {@code body} sent for {@code runId} at {@code timestamp} (unix seconds). */
    public static String sign(String secret, long timestamp, String runId, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v2:" + timestamp + ":" + runId + ":").getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /**
     * What is wrong with the form of the two headers, before any secret is tried: missing, v1, not
     * hex, or a timestamp that is not unix seconds. Empty when both are well-formed.
     */
    public static Optional<String> malformed(String timestamp, String signature) {
        if (signature == null || signature.isBlank()) {
            return Optional.of("missing " + HEADER + " header");
        }
        String value = signature.strip().toLowerCase(Locale.ROOT);
        if (value.startsWith(V1_PREFIX)) {
            return Optional.of(HEADER + " is a v1 signature (sha256= over the body alone), which Rewind no longer"
                    + " accepts: sign v2=HMAC-SHA256(secret, \"v2:\" + " + TIMESTAMP_HEADER + " + \":\" + run id + \":\" + body)");
        }
        if (!value.startsWith(PREFIX) || !HEX.matcher(value.substring(PREFIX.length())).matches()) {
            return Optional.of(HEADER + " must be v2= followed by 64 hex digits");
        }
        if (timestamp == null || timestamp.isBlank()) {
            return Optional.of("missing " + TIMESTAMP_HEADER + " header (unix seconds, signed with the body)");
        }
        if (!UNIX_SECONDS.matcher(timestamp.strip()).matches()) {
            return Optional.of(TIMESTAMP_HEADER + " '" + abbreviate(timestamp.strip()) + "' is not unix seconds");
        }
        return Optional.empty();
    }

    /**
     * Whether {@code signature} is the v2 signature of {@code body} for {@code runId} at {@code timestamp}
     * under {@code secret}; compared in constant time. Both headers must have passed {@link #malformed}.
     */
    public static boolean matches(String secret, String timestamp, String runId, byte[] body, String signature) {
        if (malformed(timestamp, signature).isPresent()) {
            return false;
        }
        byte[] expected = sign(secret, Long.parseLong(timestamp.strip()), runId, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    /** Why a well-formed {@code timestamp} is too far from {@code now}, or empty when it is within {@link #TOLERANCE}. */
    public static Optional<String> stale(String timestamp, Instant now) {
        long away = now.getEpochSecond() - Long.parseLong(timestamp.strip());
        if (Math.abs(away) <= TOLERANCE.toSeconds()) {
            return Optional.empty();
        }
        return Optional.of(TIMESTAMP_HEADER + " " + timestamp.strip() + " is " + DurationText.format(Duration.ofSeconds(Math.abs(away)))
                + (away > 0 ? " in the past" : " in the future") + "; a report must be signed within "
                + DurationText.format(TOLERANCE) + " of Rewind's clock (replayed, or the receiver's clock is off)");
    }

    /** The unix seconds of a well-formed {@code timestamp}. */
    static long seconds(String timestamp) {
        return Long.parseLong(timestamp.strip());
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 20 ? printable.substring(0, 20) + "…" : printable;
    }
}
