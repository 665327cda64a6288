package dev.rewind.store;

import dev.rewind.incident.ReportStore;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.util.Optional;

/** Filed reports in the {@code reports} table; filing again replaces the earlier text. */
public final class JdbiReportStore implements ReportStore {

    private final Jdbi jdbi;

    public JdbiReportStore(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public void file(String runId, String markdown, Instant at) {
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("UPDATE reports SET markdown = :markdown, filed_at = :at WHERE run_id = :runId")
                    .bind("markdown", Text.clip(markdown, 1_000_000)).bind("at", at.toEpochMilli()).bind("runId", runId)
                    .execute();
            if (updated == 0) {
                handle.createUpdate("INSERT INTO reports (run_id, markdown, filed_at) VALUES (:runId, :markdown, :at)")
                        .bind("markdown", Text.clip(markdown, 1_000_000)).bind("at", at.toEpochMilli())
                        .bind("runId", runId).execute();
            }
        });
    }

    @Override
    public Optional<Filed> find(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT run_id, markdown, filed_at, issue_url FROM reports "
                        + "WHERE run_id = :runId").bind("runId", runId)
                .map((rs, ctx) -> new Filed(rs.getString("run_id"), rs.getString("markdown"),
                        Instant.ofEpochMilli(rs.getLong("filed_at")), Optional.ofNullable(rs.getString("issue_url"))))
                .findOne());
    }

    @Override
    public void attachIssue(String runId, String url) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE reports SET issue_url = :url WHERE run_id = :runId")
                .bind("url", Text.clip(url, 500)).bind("runId", runId).execute());
    }
}
