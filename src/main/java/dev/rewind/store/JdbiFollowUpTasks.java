package dev.rewind.store;

import dev.rewind.rollback.FollowUpTask;
import dev.rewind.rollback.FollowUpTasks;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Follow-up tasks in the {@code follow_ups} table; claims are conditional updates, so one click wins. */
public final class JdbiFollowUpTasks implements FollowUpTasks {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String COLUMNS = "id, run_id, step, target_key, action, description, recorded, created_at, "
            + "done_by, done_at, result";

    private final Jdbi jdbi;

    public JdbiFollowUpTasks(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public void add(FollowUpTask task) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO follow_ups (id, run_id, step, target_key, action, "
                            + "description, recorded, created_at) VALUES (:id, :runId, :step, :targetKey, :action, :description, "
                            + ":recorded, :at)")
                    .bind("id", task.id()).bind("runId", task.runId()).bind("step", task.step())
                    .bind("targetKey", Text.clip(task.targetKey(), 500)).bind("action", Text.clip(task.action(), 200))
                    .bind("description", Text.clip(task.description(), 2000))
                    .bind("recorded", JSON.writeValueAsString(task.recorded()))
                    .bind("at", task.createdAt().toEpochMilli()).execute());
        } catch (RuntimeException e) {
            // The step ran again after a crash: the first record stands.
            if (!Text.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    @Override
    public Optional<FollowUpTask> find(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM follow_ups WHERE id = :id")
                .bind("id", id).map(JdbiFollowUpTasks::task).findOne());
    }

    @Override
    public List<FollowUpTask> forRun(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM follow_ups WHERE run_id = :runId "
                + "ORDER BY step").bind("runId", runId).map(JdbiFollowUpTasks::task).list());
    }

    @Override
    public List<FollowUpTask> newestPending(java.util.Collection<String> targetKeys) {
        if (targetKeys.isEmpty()) {
            return List.of();
        }
        List<FollowUpTask> pending = jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM follow_ups "
                        + "WHERE target_key IN (<keys>) AND done_at IS NULL ORDER BY created_at DESC, id DESC")
                .bindList("keys", List.copyOf(targetKeys)).map(JdbiFollowUpTasks::task).list());
        Map<String, FollowUpTask> newest = new java.util.LinkedHashMap<>();
        pending.forEach(task -> newest.putIfAbsent(task.targetKey(), task));
        return List.copyOf(newest.values());
    }

    @Override
    public boolean claim(String id, String userId, Instant at, Instant staleBefore) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE follow_ups SET claimed_by = :user, claimed_at = :at "
                        + "WHERE id = :id AND done_at IS NULL AND (claimed_by IS NULL OR claimed_at < :staleBefore)")
                .bind("user", userId).bind("at", at.toEpochMilli()).bind("staleBefore", staleBefore.toEpochMilli())
                .bind("id", id).execute()) == 1;
    }

    @Override
    public void release(String id, String userId) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE follow_ups SET claimed_by = NULL, claimed_at = NULL WHERE id = :id "
                + "AND claimed_by = :user AND done_at IS NULL").bind("user", userId).bind("id", id).execute());
    }

    @Override
    public void complete(String id, String userId, Instant at, String result) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE follow_ups SET done_by = :user, done_at = :at, result = :result "
                        + "WHERE id = :id AND done_at IS NULL")
                .bind("user", userId).bind("at", at.toEpochMilli()).bind("result", Text.clip(result, 2000)).bind("id", id)
                .execute());
    }

    private static FollowUpTask task(ResultSet rs, StatementContext ctx) throws SQLException {
        long doneAt = rs.getLong("done_at");
        Optional<FollowUpTask.Done> done = rs.wasNull() ? Optional.empty()
                : Optional.of(new FollowUpTask.Done(rs.getString("done_by"), Instant.ofEpochMilli(doneAt), rs.getString("result")));
        Map<String, String> recorded = JSON.readValue(rs.getString("recorded"), new TypeReference<Map<String, String>>() { });
        return new FollowUpTask(rs.getString("id"), rs.getString("run_id"), rs.getInt("step"), rs.getString("target_key"),
                rs.getString("action"), rs.getString("description"), recorded,
                Instant.ofEpochMilli(rs.getLong("created_at")), done);
    }
}
