package dev.rewind.store;

import dev.rewind.rollback.RecoveryWatches;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.util.List;

/** {@link RecoveryWatches} on JDBI ({@code recovery_watches}). */
public final class JdbiRecoveryWatches implements RecoveryWatches {

    private final Jdbi jdbi;

    public JdbiRecoveryWatches(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public void start(Watch watch, Instant firstCheck) {
        Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO recovery_watches (run_id, service, "
                        + "started_at, until_at, next_at, failures) VALUES (:runId, :service, :started, :until, :next, 0)")
                .bind("runId", watch.runId()).bind("service", watch.service())
                .bind("started", watch.startedAt().toEpochMilli()).bind("until", watch.until().toEpochMilli())
                .bind("next", firstCheck.toEpochMilli()).execute()));
    }

    @Override
    public List<Watch> due(Instant now) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT run_id, service, started_at, until_at, failures "
                        + "FROM recovery_watches WHERE next_at <= :now ORDER BY next_at").bind("now", now.toEpochMilli())
                .map((rs, ctx) -> new Watch(rs.getString("run_id"), rs.getString("service"),
                        Instant.ofEpochMilli(rs.getLong("started_at")), Instant.ofEpochMilli(rs.getLong("until_at")),
                        rs.getInt("failures"))).list());
    }

    @Override
    public void checked(String runId, int failures, Instant next) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE recovery_watches SET failures = :failures, next_at = :next "
                + "WHERE run_id = :runId").bind("failures", failures).bind("next", next.toEpochMilli()).bind("runId", runId)
                .execute());
    }

    @Override
    public boolean end(String runId) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM recovery_watches WHERE run_id = :runId")
                .bind("runId", runId).execute()) == 1;
    }
}
