package dev.rewind.store;

import org.jdbi.v3.core.Jdbi;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * Keys Rewind generates once per installation and keeps in its database, for when an operator has
 * not configured one: 32 random bytes under a name. Every replica reads the same key; the first to
 * need it creates it. A key kept here protects against someone who can change rows but not read
 * this table; a key from the environment is stronger, and the README says so.
 */
public final class JdbiInstallationKeys {

    public static final String AUDIT = "audit";
    public static final String SECRET_DIGESTS = "secret-digests";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiInstallationKeys(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** The key named {@code name}, created (and stored) the first time it is asked for. */
    public byte[] key(String name) {
        Optional<byte[]> existing = find(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO installation_keys (name, key_base64, created_at) "
                            + "VALUES (:name, :key, :at)")
                    .bind("name", name).bind("key", Base64.getEncoder().encodeToString(fresh))
                    .bind("at", clock.millis()).execute());
            return fresh;
        } catch (RuntimeException e) {
            if (!Text.isUniqueViolation(e)) {
                throw e;
            }
            // Another replica created it first: use theirs.
            return find(name).orElseThrow(() -> e);
        }
    }

    private Optional<byte[]> find(String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT key_base64 FROM installation_keys WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne().map(Base64.getDecoder()::decode));
    }
}
