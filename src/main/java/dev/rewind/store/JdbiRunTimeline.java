package dev.rewind.store;

import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunTimeline;
import dev.rewind.rollback.SignalSample;
import org.jdbi.v3.core.Jdbi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@link RunTimeline} on JDBI: A run's timeline ({@code run_events}), readings ({@code run_readings}) and finished steps ({@code run_steps}). */
public final class JdbiRunTimeline implements RunTimeline {

    private final Jdbi jdbi;

    public JdbiRunTimeline(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public void stepDone(String runId, RunTimeline.FinishedStep step, Instant at) {
        // a step recorded twice (a resumed run) keeps its first record
        Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate(
                "INSERT INTO run_steps (run_id, step, target_key, finished_at, summary, "
                                + "live) VALUES (:runId, :step, :targetKey, :at, :summary, :live)")
                        .bind("runId", runId).bind("step", step.index()).bind("targetKey", Text.clip(step.targetKey(), 500))
                        .bind("at", at.toEpochMilli()).bind("summary", Text.clip(step.summary(), 2000))
                        .bind("live", step.live()).execute()));
    }

    @Override
    public Map<Integer, RunTimeline.FinishedStep> stepsDone(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT step, target_key, summary, live FROM run_steps "
                        + "WHERE run_id = :runId ORDER BY step")
                .bind("runId", runId)
                .map((rs, ctx) -> new RunTimeline.FinishedStep(rs.getInt("step"), rs.getString("target_key"), rs.getString("summary"),
                        rs.getBoolean("live")))
                .list().stream().collect(Collectors.toMap(RunTimeline.FinishedStep::index, step -> step)));
    }

    @Override
    public void recordSamples(String runId, List<SignalSample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        jdbi.useHandle(handle -> {
            var batch = handle.prepareBatch("INSERT INTO run_readings (run_id, signal, phase, at, val) "
                    + "VALUES (:runId, :signal, :phase, :at, :val)");
            for (SignalSample sample : samples) {
                batch.bind("runId", runId).bind("signal", Text.clip(sample.signal(), 200)).bind("phase", sample.phase())
                        .bind("at", sample.at().toEpochMilli()).bind("val", sample.value()).add();
            }
            batch.execute();
        });
    }

    @Override
    public List<SignalSample> samples(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT signal, phase, at, val FROM run_readings "
                        + "WHERE run_id = :runId ORDER BY seq")
                .bind("runId", runId)
                .map((rs, ctx) -> new SignalSample(rs.getString("signal"), rs.getString("phase"),
                        Instant.ofEpochMilli(rs.getLong("at")), rs.getDouble("val")))
                .list());
    }

    @Override
    public void append(RunEvent event) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO run_events (run_id, at, kind, message) "
                        + "VALUES (:runId, :at, :kind, :message)")
                .bind("runId", event.runId()).bind("at", event.at().toEpochMilli()).bind("kind", event.kind().name())
                .bind("message", Text.clip(event.message(), 4000)).execute());
    }

    @Override
    public List<RunEvent> events(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT run_id, at, kind, message FROM run_events "
                        + "WHERE run_id = :runId ORDER BY seq")
                .bind("runId", runId)
                .map((rs, ctx) -> new RunEvent(rs.getString("run_id"), Instant.ofEpochMilli(rs.getLong("at")),
                        RunEvent.Kind.valueOf(rs.getString("kind")), rs.getString("message")))
                .list());
    }
}
