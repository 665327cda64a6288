package dev.rewind.rollback;

import java.security.SecureRandom;

/** Run ids: short, unguessable (they are in report URLs), easy to read aloud: {@code rb-7k2m9qx4tz}. */
public final class RunIds {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    public static String next() {
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "rb-" + new String(id);
    }

    public static boolean looksLikeId(String text) {
        return text != null && text.matches("rb-[0-9a-z]{10}");
    }
}
