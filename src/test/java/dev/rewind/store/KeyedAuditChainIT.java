package dev.rewind.store;

import dev.rewind.rollback.AuditLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit chain is keyed: someone who can write the database but does not hold the key cannot edit
 * an entry and re-hash the chain after it, the way an unkeyed SHA-256 chain allowed. Entries written
 * before the chain was keyed still verify.
 */
class KeyedAuditChainIT {

    private final Database database = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            Optional.empty(), Optional.empty());
    private final Clock clock = Clock.systemUTC();

    @AfterEach
    void close() {
        database.close();
    }

    private AuditLog log(String key) {
        return new JdbiAuditLog(database, clock, Optional.of(key));
    }

    private void writeFive(AuditLog audit) {
        for (int i = 1; i <= 5; i++) {
            audit.record("U0ALICE", "approved", Optional.of("rb-" + i), "checkout", "entry " + i);
        }
    }

    private List<Map<String, Object>> rows() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT seq, at, actor, action, run_id, service, detail, "
                + "prev_hash, hash, hash_version FROM audit ORDER BY seq").mapToMap().list());
    }

    /** What an attacker without the key can do: edit one detail and re-hash every row from there with SHA-256. */
    private void forgeFrom(int index, String detail) {
        List<Map<String, Object>> rows = rows();
        String previous = (String) rows.get(index).get("prev_hash");
        for (int i = index; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            String newDetail = i == index ? detail : (String) row.get("detail");
            String hash = JdbiAuditLog.plainHash(new String[]{previous, row.get("at").toString(), (String) row.get("actor"),
                    (String) row.get("action"), row.get("run_id") == null ? "" : (String) row.get("run_id"),
                    (String) row.get("service"), newDetail});
            String prev = previous;
            database.jdbi().useHandle(h -> h.createUpdate("UPDATE audit SET detail = :detail, prev_hash = :prev, "
                            + "hash = :hash WHERE seq = :seq").bind("detail", newDetail).bind("prev", prev)
                    .bind("hash", hash).bind("seq", row.get("seq")).execute());
            previous = hash;
        }
    }

    @Test
    void anEditedEntryWithTheChainReHashedWithoutTheKeyIsCaught() {
        AuditLog audit = log("operator-held-audit-key");
        writeFive(audit);
        assertThat(audit.verify().intact()).isTrue();

        forgeFrom(2, "approved by nobody");

        AuditLog.ChainCheck check = audit.verify();
        assertThat(check.intact()).isFalse();
        assertThat(check.brokenAt()).contains((Long) rows().get(2).get("seq"));
        assertThat(check.detail()).contains("does not match its hash under the audit key");
    }

    @Test
    void theChainVerifiesOnlyWithTheKeyItWasWrittenWith() {
        writeFive(log("the-key"));
        assertThat(log("the-key").verify()).isEqualTo(new AuditLog.ChainCheck(true, 5, Optional.empty(),
                "5 entries, chain intact"));
        assertThat(log("another-key").verify().detail()).contains("REWIND_AUDIT_KEY is not the key it was written with");
    }

    @Test
    void entriesFromBeforeTheKeyStillVerifyAndAnUnkeyedEntryAfterKeyedOnesIsRefused() {
        // Two rows as the unkeyed chain wrote them before this version.
        String previous = JdbiAuditLog.GENESIS;
        for (int i = 1; i <= 2; i++) {
            String hash = JdbiAuditLog.plainHash(new String[]{previous, Long.toString(1_000L * i), "U0BOB", "requested",
                    "", "checkout", "old " + i});
            String prev = previous;
            int n = i;
            database.jdbi().useHandle(h -> h.createUpdate("INSERT INTO audit (at, actor, action, run_id, service, detail, "
                            + "prev_hash, hash) VALUES (:at, 'U0BOB', 'requested', NULL, 'checkout', :detail, :prev, :hash)")
                    .bind("at", 1_000L * n).bind("detail", "old " + n).bind("prev", prev).bind("hash", hash).execute());
            previous = hash;
        }
        AuditLog audit = log("k");
        writeFive(audit);
        AuditLog.ChainCheck check = audit.verify();
        assertThat(check.intact()).isTrue();
        assertThat(check.detail()).isEqualTo("7 entries, chain intact (the first 2 predate the audit key and are checked "
                + "by SHA-256 only)");

        forgeFrom(4, "rewritten as if it were old");
        database.jdbi().useHandle(h -> h.execute("UPDATE audit SET hash_version = 1 WHERE seq >= "
                + rows().get(4).get("seq")));
        AuditLog.ChainCheck downgraded = audit.verify();
        assertThat(downgraded.intact()).isFalse();
        assertThat(downgraded.detail()).contains("claims an unkeyed hash after keyed entries");
    }

    @Test
    void withoutAConfiguredKeyEveryWriterSharesTheKeyGeneratedOnceInTheDatabase() {
        AuditLog first = new JdbiAuditLog(database, clock, Optional.empty());
        AuditLog second = new JdbiAuditLog(database, clock, Optional.empty());
        writeFive(first);
        writeFive(second);
        assertThat(first.verify().intact()).isTrue();
        assertThat(new JdbiAuditLog(database, clock).verify()).isEqualTo(second.verify());
        int keys = database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM installation_keys")
                .mapTo(Integer.class).one());
        assertThat(keys).isEqualTo(1);
        forgeFrom(7, "forged");
        assertThat(first.verify().intact()).isFalse();
    }
}
