package dev.rewind.adapter.config;

import dev.rewind.adapter.AdapterException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encrypts a Secret's data for the version history with AES-256-GCM. The key is the SHA-256 of the
 * text in the target's {@code keyEnv} variable; the object and version id are bound in as associated
 * data, so a stored copy cannot be replayed onto another Secret. Output: base64 of IV ‖ ciphertext+tag.
 */
final class SecretSealer {

    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    SecretSealer(String keyText) {
        try {
            byte[] material = MessageDigest.getInstance("SHA-256").digest(keyText.getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(material, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    String seal(Map<String, String> data, ConfigRef ref, String versionId) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData(ref, versionId));
            byte[] sealed = cipher.doFinal(JSON.writeValueAsBytes(new TreeMap<>(data)));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The Secret's {@code data} (base64 values, as the API takes them). */
    Map<String, String> open(String sealed, ConfigRef ref, String versionId, String keyEnv) {
        try {
            byte[] bytes = Base64.getDecoder().decode(sealed);
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(associatedData(ref, versionId));
            byte[] plain = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
            return JSON.readValue(plain, new TypeReference<Map<String, String>>() { });
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new AdapterException("the stored copy of " + ref + " version " + versionId
                    + " cannot be decrypted with the key in " + keyEnv + " (was the key changed since it was recorded?)");
        }
    }

    private static byte[] associatedData(ConfigRef ref, String versionId) {
        return (ref + "\0" + versionId).getBytes(StandardCharsets.UTF_8);
    }
}
