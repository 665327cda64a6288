package dev.rewind.store;

import dev.rewind.rollback.Approval;
import dev.rewind.rollback.ApprovalStore;
import org.jdbi.v3.core.Jdbi;
import java.time.Instant;
import java.util.List;

/** {@link ApprovalStore} on JDBI: Approvals, one row per person and run ({@code approvals}); a second approval by the same person is refused by the key. */
public final class JdbiApprovalStore implements ApprovalStore {

    private final Jdbi jdbi;

    public JdbiApprovalStore(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public boolean addApproval(Approval approval) {
        return Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate(
                "INSERT INTO approvals (run_id, user_id, approved_at, break_glass) "
                                + "VALUES (:runId, :userId, :at, :breakGlass)")
                        .bind("runId", approval.runId()).bind("userId", approval.userId())
                        .bind("at", approval.at().toEpochMilli()).bind("breakGlass", approval.breakGlass()).execute()));
    }

    @Override
    public void markBreakGlass(String runId, String userId) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE approvals SET break_glass = TRUE WHERE run_id = :runId "
                + "AND user_id = :userId").bind("runId", runId).bind("userId", userId).execute());
    }

    @Override
    public List<Approval> approvals(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT run_id, user_id, approved_at, break_glass FROM approvals "
                        + "WHERE run_id = :runId ORDER BY approved_at, user_id")
                .bind("runId", runId)
                .map((rs, ctx) -> new Approval(rs.getString("run_id"), rs.getString("user_id"),
                        Instant.ofEpochMilli(rs.getLong("approved_at")), rs.getBoolean("break_glass")))
                .list());
    }
}
