package dev.rewind.store;

import dev.rewind.rollback.AuditLog;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The audit log as a hash chain in one table. Appending locks the writers' row (so writers in every replica take
 * turns), reads the newest hash and inserts a row that names it; the unique {@code prev_hash} column is the
 * backstop that turns any race the lock did not prevent into a retry.
 * Each hash is an HMAC-SHA256 with the audit key (REWIND_AUDIT_KEY, else a key generated once and
 * kept in the database), so rewriting the chain after an edit needs that key. Rows written before
 * the chain was keyed keep their plain SHA-256 hashes ({@code hash_version} 1) and are still checked;
 * a plain row after a keyed one is refused as a forgery.
 */
public final class JdbiAuditLog implements AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(JdbiAuditLog.class);
    static final String GENESIS = "0".repeat(64);
    static final int PLAIN = 1;
    static final int KEYED = 2;
    private static final int ATTEMPTS = 20;
    private static final String HMAC = "HmacSHA256";
    private static final String COLUMNS = "seq, at, actor, action, run_id, service, detail, prev_hash, hash, hash_version";

    private final Jdbi jdbi;
    private final Clock clock;
    private final SecretKeySpec key;

    /** The chain keyed with the installation's generated key (kept in the database). */
    public JdbiAuditLog(Database database, Clock clock) {
        this(database, clock, Optional.empty());
    }

    /** @param configuredKey REWIND_AUDIT_KEY; when empty, a key generated once and kept in the database */
    public JdbiAuditLog(Database database, Clock clock, Optional<String> configuredKey) {
        this.jdbi = database.jdbi();
        this.clock = clock;
        byte[] material = configuredKey.map(k -> k.getBytes(StandardCharsets.UTF_8))
                .orElseGet(() -> new JdbiInstallationKeys(jdbi, clock).key(JdbiInstallationKeys.AUDIT));
        this.key = new SecretKeySpec(material, HMAC);
    }

    @Override
    public void record(String actor, String action, Optional<String> runId, String service, String detail) {
        long at = clock.instant().toEpochMilli();
        String clippedDetail = Text.clip(detail, 4000);
        String clippedActor = Text.clip(actor, 100);
        String clippedAction = Text.clip(action, 100);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                jdbi.useTransaction(handle -> {
                    handle.createQuery("SELECT id FROM audit_writer_lock WHERE id = 1 FOR UPDATE").mapTo(Integer.class).one();
                    String previous = handle.createQuery("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")
                            .mapTo(String.class).findOne().orElse(GENESIS);
                    String hash = keyedHash(previous, at, clippedActor, clippedAction, runId.orElse(""), service,
                            clippedDetail);
                    handle.createUpdate("INSERT INTO audit (at, actor, action, run_id, service, detail, prev_hash, hash, "
                                    + "hash_version) VALUES (:at, :actor, :action, :runId, :service, :detail, :prev, :hash, "
                                    + KEYED + ")")
                            .bind("at", at).bind("actor", clippedActor).bind("action", clippedAction)
                            .bind("runId", runId.orElse(null)).bind("service", service).bind("detail", clippedDetail)
                            .bind("prev", previous).bind("hash", hash).execute();
                });
                return;
            } catch (RuntimeException e) {
                if (!Text.isUniqueViolation(e) || attempt == ATTEMPTS) {
                    throw e;
                }
                LOG.debug("audit chain moved under us; retrying ({})", attempt);
            }
        }
    }

    @Override
    public List<Entry> latest(Optional<String> service, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM audit"
                        + (service.isPresent() ? " WHERE service = :service" : "")
                        + " ORDER BY seq DESC LIMIT :limit")
                .bind("service", service.orElse(null)).bind("limit", limit)
                .map((rs, ctx) -> entry(rs)).list());
    }

    @Override
    public ChainCheck verify() {
        return jdbi.withHandle(handle -> {
            String expectedPrevious = GENESIS;
            long count = 0;
            long plain = 0;
            boolean keyedSeen = false;
            try (var rows = handle.createQuery("SELECT " + COLUMNS + " FROM audit ORDER BY seq")
                    .map((rs, ctx) -> new Row(entry(rs), rs.getInt("hash_version"))).stream()) {
                for (Row row : (Iterable<Row>) rows::iterator) {
                    Entry entry = row.entry();
                    count++;
                    if (!entry.previousHash().equals(expectedPrevious)) {
                        return new ChainCheck(false, count, Optional.of(entry.seq()),
                                "entry " + entry.seq() + " does not follow the entry before it: an entry was deleted or reordered");
                    }
                    String[] fields = {entry.previousHash(), Long.toString(entry.at().toEpochMilli()), entry.actor(),
                            entry.action(), entry.runId().orElse(""), entry.service(), entry.detail()};
                    if (row.version() == KEYED) {
                        keyedSeen = true;
                        if (!MessageDigest.isEqual(bytes(keyedHash(fields)), bytes(entry.hash()))) {
                            return new ChainCheck(false, count, Optional.of(entry.seq()), "entry " + entry.seq()
                                    + " does not match its hash under the audit key: it was changed after it was written "
                                    + "(or REWIND_AUDIT_KEY is not the key it was written with)");
                        }
                    } else if (row.version() == PLAIN && !keyedSeen) {
                        plain++;
                        if (!plainHash(fields).equals(entry.hash())) {
                            return new ChainCheck(false, count, Optional.of(entry.seq()),
                                    "entry " + entry.seq() + " was changed after it was written");
                        }
                    } else {
                        return new ChainCheck(false, count, Optional.of(entry.seq()), "entry " + entry.seq()
                                + " claims an unkeyed hash after keyed entries: it was forged or rewritten");
                    }
                    expectedPrevious = entry.hash();
                }
            }
            return new ChainCheck(true, count, Optional.empty(), count + " entries, chain intact"
                    + (plain == 0 ? "" : " (the first " + plain + " predate the audit key and are checked by SHA-256 only)"));
        });
    }

    private record Row(Entry entry, int version) {
    }

    private static Entry entry(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Entry(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("at")), rs.getString("actor"),
                rs.getString("action"), Optional.ofNullable(rs.getString("run_id")), rs.getString("service"),
                rs.getString("detail"), rs.getString("prev_hash"), rs.getString("hash"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private String keyedHash(String previous, long at, String actor, String action, String runId, String service,
                             String detail) {
        return keyedHash(new String[]{previous, Long.toString(at), actor, action, runId, service, detail});
    }

    /** HMAC-SHA256 with the audit key over the length-prefixed fields (hash_version 2). */
    private String keyedHash(String[] fields) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            for (String part : fields) {
                byte[] bytes = bytes(part);
                mac.update(bytes(Integer.toString(bytes.length)));
                mac.update((byte) ':');
                mac.update(bytes);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always present in the JDK", e);
        }
    }

    /** The unkeyed SHA-256 of rows written before the chain was keyed (hash_version 1). */
    static String plainHash(String[] fields) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : fields) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) ':');
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present in the JDK", e);
        }
    }
}
