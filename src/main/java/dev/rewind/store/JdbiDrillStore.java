package dev.rewind.store;

import dev.rewind.drill.Drill;
import dev.rewind.drill.DrillState;
import dev.rewind.drill.DrillStore;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link DrillStore} on JDBI ({@code drills}). */
public final class JdbiDrillStore implements DrillStore {

    private static final List<String> ACTIVE = List.of(DrillState.ROLLING_BACK.name(), DrillState.RESTORING.name());

    private final Jdbi jdbi;

    public JdbiDrillStore(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public boolean insert(Drill drill) {
        return Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO drills (id, service, requested_by, "
                        + "source, from_revision, from_label, state, started_at, scheduled_for, ended_at, report) VALUES (:id, "
                        + ":service, :by, :source, :fromRevision, :fromLabel, :state, :startedAt, :scheduledFor, :endedAt, :report)")
                .bind("id", drill.id()).bind("service", drill.service()).bind("by", Text.clip(drill.requestedBy(), 200))
                .bind("source", drill.source()).bind("fromRevision", Text.clip(drill.fromRevision(), 300))
                .bind("fromLabel", Text.clip(drill.fromLabel(), 300)).bind("state", drill.state().name())
                .bind("startedAt", drill.startedAt().toEpochMilli())
                .bind("scheduledFor", drill.scheduledFor().map(Instant::toEpochMilli).orElse(null))
                .bind("endedAt", drill.endedAt().map(Instant::toEpochMilli).orElse(null))
                .bind("report", drill.report().map(r -> Text.clip(r, 8000)).orElse(null)).execute()));
    }

    @Override
    public Optional<Drill> find(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM drills WHERE id = :id").bind("id", id).map(MAPPER).findOne());
    }

    @Override
    public Optional<Drill> byRun(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM drills WHERE run_id = :run OR restore_run_id = :run")
                .bind("run", runId).map(MAPPER).findFirst());
    }

    @Override
    public Optional<Drill> active(String service) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM drills WHERE service = :service AND state IN (<active>) "
                + "ORDER BY started_at DESC").bind("service", service).bindList("active", ACTIVE).map(MAPPER).findFirst());
    }

    @Override
    public List<Drill> active() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM drills WHERE state IN (<active>) ORDER BY started_at")
                .bindList("active", ACTIVE).map(MAPPER).list());
    }

    @Override
    public List<Drill> latest(Optional<String> service, int limit) {
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT * FROM drills" + (service.isPresent() ? " WHERE service = :service" : "")
                    + " ORDER BY started_at DESC");
            service.ifPresent(name -> query.bind("service", name));
            return query.setMaxRows(limit).map(MAPPER).list();
        });
    }

    @Override
    public void linkRun(String id, String runId, String fromRevision, String fromLabel) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE drills SET run_id = :run, from_revision = :fromRevision, "
                        + "from_label = :fromLabel WHERE id = :id").bind("run", runId)
                .bind("fromRevision", Text.clip(fromRevision, 300)).bind("fromLabel", Text.clip(fromLabel, 300)).bind("id", id).execute());
    }

    @Override
    public boolean restoring(String id, String restoreRunId) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE drills SET state = :restoring, restore_run_id = :run "
                        + "WHERE id = :id AND state = :rollingBack").bind("restoring", DrillState.RESTORING.name())
                .bind("run", restoreRunId).bind("id", id).bind("rollingBack", DrillState.ROLLING_BACK.name()).execute()) == 1;
    }

    @Override
    public boolean end(String id, DrillState state, String report, Optional<Long> recovery, Instant at) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE drills SET state = :state, report = :report, recovery_s = :recovery, "
                        + "ended_at = :at WHERE id = :id AND state IN (<active>)").bind("state", state.name())
                .bind("report", Text.clip(report, 8000)).bind("recovery", recovery.orElse(null)).bind("at", at.toEpochMilli())
                .bind("id", id).bindList("active", ACTIVE).execute()) == 1;
    }

    private static final RowMapper<Drill> MAPPER = (rs, ctx) -> {
        long recovery = rs.getLong("recovery_s");
        Optional<Long> recoverySeconds = rs.wasNull() ? Optional.empty() : Optional.of(recovery);
        return new Drill(rs.getString("id"), rs.getString("service"), rs.getString("requested_by"), rs.getString("source"),
                rs.getString("from_revision"), rs.getString("from_label"), Optional.ofNullable(rs.getString("run_id")),
                Optional.ofNullable(rs.getString("restore_run_id")), DrillState.valueOf(rs.getString("state")),
                Instant.ofEpochMilli(rs.getLong("started_at")), Text.instant(rs, "scheduled_for"), Text.instant(rs, "ended_at"),
                Optional.ofNullable(rs.getString("report")), recoverySeconds);
    };
}
