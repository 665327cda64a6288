package dev.rewind.store;

import dev.rewind.rollback.AuditLog;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The audit log as a hash chain in one table. Appending reads the newest hash and inserts a row that
 * names it; the unique {@code prev_hash} column turns a race between two writers into a retry.
 */
public final class JdbiAuditLog implements AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(JdbiAuditLog.class);
    static final String GENESIS = "0".repeat(64);
    private static final int ATTEMPTS = 20;

    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiAuditLog(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
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
                    String previous = handle.createQuery("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")
                            .mapTo(String.class).findOne().orElse(GENESIS);
                    String hash = hash(previous, at, clippedActor, clippedAction, runId.orElse(""), service, clippedDetail);
                    handle.createUpdate("INSERT INTO audit (at, actor, action, run_id, service, detail, prev_hash, hash) "
                                    + "VALUES (:at, :actor, :action, :runId, :service, :detail, :prev, :hash)")
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
        return jdbi.withHandle(handle -> handle.createQuery("SELECT seq, at, actor, action, run_id, service, detail, "
                        + "prev_hash, hash FROM audit" + (service.isPresent() ? " WHERE service = :service" : "")
                        + " ORDER BY seq DESC LIMIT :limit")
                .bind("service", service.orElse(null)).bind("limit", limit)
                .map((rs, ctx) -> new Entry(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("at")),
                        rs.getString("actor"), rs.getString("action"), Optional.ofNullable(rs.getString("run_id")),
                        rs.getString("service"), rs.getString("detail"), rs.getString("prev_hash"), rs.getString("hash")))
                .list());
    }

    @Override
    public ChainCheck verify() {
        return jdbi.withHandle(handle -> {
            String expectedPrevious = GENESIS;
            long count = 0;
            try (var rows = handle.createQuery("SELECT seq, at, actor, action, run_id, service, detail, prev_hash, hash "
                    + "FROM audit ORDER BY seq").map((rs, ctx) -> new Entry(rs.getLong("seq"),
                    Instant.ofEpochMilli(rs.getLong("at")), rs.getString("actor"), rs.getString("action"),
                    Optional.ofNullable(rs.getString("run_id")), rs.getString("service"), rs.getString("detail"),
                    rs.getString("prev_hash"), rs.getString("hash"))).stream()) {
                for (Entry entry : (Iterable<Entry>) rows::iterator) {
                    count++;
                    if (!entry.previousHash().equals(expectedPrevious)) {
                        return new ChainCheck(false, count, Optional.of(entry.seq()),
                                "entry " + entry.seq() + " does not follow the entry before it: an entry was deleted or reordered");
                    }
                    String recomputed = hash(entry.previousHash(), entry.at().toEpochMilli(), entry.actor(),
                            entry.action(), entry.runId().orElse(""), entry.service(), entry.detail());
                    if (!recomputed.equals(entry.hash())) {
                        return new ChainCheck(false, count, Optional.of(entry.seq()),
                                "entry " + entry.seq() + " was changed after it was written");
                    }
                    expectedPrevious = entry.hash();
                }
            }
            return new ChainCheck(true, count, Optional.empty(), count + " entries, chain intact");
        });
    }

    static String hash(String previous, long at, String actor, String action, String runId, String service, String detail) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : new String[]{previous, Long.toString(at), actor, action, runId, service, detail}) {
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
