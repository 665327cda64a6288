package dev.rewind.web;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The bearer token of {@code /api/v1/*} ({@code REWIND_API_TOKEN}). Without it configured those routes are
 * off (503); a missing or wrong token is 401. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken says nothing about the token, not even its length.
 */
final class ApiToken {

    private final Optional<byte[]> expected;

    ApiToken(Optional<String> token) {
        this.expected = token.map(ApiToken::digest);
    }

    /** Answers the request with 503 or 401 and returns false unless it carries the token. */
    boolean admits(Context ctx) {
        if (expected.isEmpty()) {
            ctx.status(503).contentType("application/json")
                    .result(Json.error("the API is off: set REWIND_API_TOKEN to use /api/v1/*"));
            return false;
        }
        String header = ctx.header("Authorization");
        boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
        if (!bearer || !MessageDigest.isEqual(digest(header.substring(7).trim()), expected.get())) {
            ctx.status(401).header("WWW-Authenticate", "Bearer").contentType("application/json")
                    .result(Json.error(bearer ? "wrong bearer token" : "missing bearer token: send Authorization: "
                            + "Bearer <REWIND_API_TOKEN>"));
            return false;
        }
        return true;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
