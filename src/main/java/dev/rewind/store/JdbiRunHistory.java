package dev.rewind.store;

import dev.rewind.assess.Tier;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import dev.rewind.stats.PastRun;
import dev.rewind.stats.RunHistory;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link RunHistory} on JDBI: one query for the runs, one each for their approvals, dismissals and
 * finished steps, however many runs the window holds.
 */
public final class JdbiRunHistory implements RunHistory {

    private final Jdbi jdbi;

    public JdbiRunHistory(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public List<PastRun> openedSince(Optional<String> service, Instant since) {
        return jdbi.withHandle(handle -> {
            String where = "r.created_at >= :since" + (service.isPresent() ? " AND r.service = :service" : "");
            List<Row> rows = bind(handle.createQuery("SELECT r.id, r.service, r.state, r.trigger_kind, r.dry_run, "
                    + "r.assessment, r.created_at, r.started_at, r.finished_at FROM runs r WHERE " + where
                    + " ORDER BY r.created_at, r.id"), service, since).map((rs, ctx) -> row(rs)).list();
            Map<String, List<Instant>> approvals = new HashMap<>();
            bind(handle.createQuery("SELECT a.run_id, a.approved_at FROM approvals a JOIN runs r ON r.id = a.run_id "
                    + "WHERE " + where), service, since)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))))
                    .forEach(e -> approvals.computeIfAbsent(e.getKey(), id -> new ArrayList<>()).add(e.getValue()));
            Map<String, Instant> dismissed = new HashMap<>();
            bind(handle.createQuery("SELECT e.run_id, MIN(e.at) FROM run_events e JOIN runs r ON r.id = e.run_id "
                    + "WHERE e.kind = :kind AND " + where + " GROUP BY e.run_id"), service, since)
                    .bind("kind", RunEvent.Kind.DISMISSED.name())
                    .map((rs, ctx) -> Map.entry(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))))
                    .forEach(e -> dismissed.put(e.getKey(), e.getValue()));
            Map<String, List<PastRun.Step>> steps = new HashMap<>();
            bind(handle.createQuery("SELECT s.run_id, s.target_key, s.finished_at FROM run_steps s "
                    + "JOIN runs r ON r.id = s.run_id WHERE " + where + " ORDER BY s.run_id, s.step"), service, since)
                    .map((rs, ctx) -> Map.entry(rs.getString(1),
                            new PastRun.Step(rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)))))
                    .forEach(e -> steps.computeIfAbsent(e.getKey(), id -> new ArrayList<>()).add(e.getValue()));
            return rows.stream().map(row -> new PastRun(row.id, row.service, row.trigger, row.state, row.dryRun, row.tier,
                    row.createdAt, row.startedAt, row.finishedAt, approvals.getOrDefault(row.id, List.of()),
                    Optional.ofNullable(dismissed.get(row.id)), steps.getOrDefault(row.id, List.of()))).toList();
        });
    }

    private static Query bind(Query query, Optional<String> service, Instant since) {
        query.bind("since", since.toEpochMilli());
        service.ifPresent(name -> query.bind("service", name));
        return query;
    }

    private record Row(String id, String service, RunState state, Trigger trigger, boolean dryRun, Optional<Tier> tier,
                       Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt) {
    }

    private static Row row(ResultSet rs) throws SQLException {
        String assessment = rs.getString("assessment");
        return new Row(rs.getString("id"), rs.getString("service"), RunState.valueOf(rs.getString("state")),
                Trigger.valueOf(rs.getString("trigger_kind")), rs.getBoolean("dry_run"),
                Optional.ofNullable(assessment).map(json -> AssessmentJson.read(json).tier()),
                Instant.ofEpochMilli(rs.getLong("created_at")), instant(rs, "started_at"), instant(rs, "finished_at"));
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }
}
