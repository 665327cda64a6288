package dev.rewind.store;

import dev.rewind.assess.Assessment;
import dev.rewind.rollback.Approval;
import dev.rewind.rollback.IncidentRoom;
import dev.rewind.rollback.SignalSample;
import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunRepository;
import dev.rewind.rollback.RunState;
import dev.rewind.rollback.Trigger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@link RunRepository} on JDBI; every state change is a single {@code UPDATE … WHERE id = ? AND state = ?}. */
public final class JdbiRunRepository implements RunRepository {

    private static final String COLUMNS = "id, service, environment, state, trigger_kind, asked_by, reason, dry_run, "
            + "assessment, requested_by, to_revision, card_channel, card_message, outcome, created_at, updated_at, "
            + "started_at, finished_at, auto_at, policy_note";

    private final Jdbi jdbi;

    public JdbiRunRepository(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public void insert(RollbackRun run) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO runs (" + COLUMNS + ") VALUES (:id, :service, "
                        + ":environment, :state, :trigger, :askedBy, :reason, :dryRun, :assessment, :requestedBy, "
                        + ":toRevision, :cardChannel, :cardMessage, :outcome, :createdAt, :updatedAt, :startedAt, :finishedAt, "
                        + ":autoAt, :policyNote)")
                .bind("id", run.id())
                .bind("service", run.service())
                .bind("environment", run.environment())
                .bind("state", run.state().name())
                .bind("trigger", run.trigger().name())
                .bind("askedBy", Text.clip(run.askedBy(), 100))
                .bind("reason", Text.clip(run.reason(), 4000))
                .bind("dryRun", run.dryRun())
                .bind("assessment", run.assessment().map(AssessmentJson::write).orElse(null))
                .bind("requestedBy", run.requestedBy().orElse(null))
                .bind("toRevision", run.toRevision().orElse(null))
                .bind("cardChannel", run.card().map(RollbackRun.CardRef::channel).orElse(null))
                .bind("cardMessage", run.card().map(RollbackRun.CardRef::messageId).orElse(null))
                .bind("outcome", run.outcome().orElse(null))
                .bind("createdAt", run.createdAt().toEpochMilli())
                .bind("updatedAt", run.updatedAt().toEpochMilli())
                .bind("startedAt", run.startedAt().map(Instant::toEpochMilli).orElse(null))
                .bind("finishedAt", run.finishedAt().map(Instant::toEpochMilli).orElse(null))
                .bind("autoAt", run.autoAt().map(Instant::toEpochMilli).orElse(null))
                .bind("policyNote", run.policyNote().orElse(null))
                .execute());
    }

    @Override
    public Optional<RollbackRun> find(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM runs WHERE id = :id")
                .bind("id", id).map(JdbiRunRepository::run).findOne());
    }

    @Override
    public Optional<String> cardOwner(RollbackRun.CardRef card) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM runs WHERE card_channel = :channel "
                        + "AND card_message = :message ORDER BY created_at DESC, id DESC")
                .bind("channel", card.channel()).bind("message", card.messageId())
                .setMaxRows(1).mapTo(String.class).findFirst());
    }

    @Override
    public Optional<RollbackRun.CardRef> card(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT card_channel, card_message FROM runs WHERE id = :id "
                        + "AND card_channel IS NOT NULL AND card_message IS NOT NULL")
                .bind("id", id)
                .map((rs, ctx) -> new RollbackRun.CardRef(rs.getString("card_channel"), rs.getString("card_message")))
                .findOne());
    }

    @Override
    public void saveAssessment(String id, Assessment assessment, Instant now) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE runs SET assessment = :assessment, updated_at = :now "
                        + "WHERE id = :id")
                .bind("assessment", AssessmentJson.write(assessment)).bind("now", now.toEpochMilli()).bind("id", id)
                .execute());
    }

    @Override
    public boolean saveAssessmentIfUndecided(String id, Assessment assessment, Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE runs SET assessment = :assessment, updated_at = :now "
                        + "WHERE id = :id AND state = :state")
                .bind("assessment", AssessmentJson.write(assessment)).bind("now", now.toEpochMilli()).bind("id", id)
                .bind("state", RunState.ASSESSED.name()).execute()) == 1;
    }

    @Override
    public void attachCard(String id, RollbackRun.CardRef card, Instant now) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE runs SET card_channel = :channel, card_message = :message, "
                        + "updated_at = :now WHERE id = :id")
                .bind("channel", card.channel()).bind("message", card.messageId()).bind("now", now.toEpochMilli())
                .bind("id", id).execute());
    }

    @Override
    public boolean preselect(String id, String revisionId, Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE runs SET to_revision = :revision, updated_at = :now "
                        + "WHERE id = :id AND state = :state")
                .bind("revision", Text.clip(revisionId, 200)).bind("now", now.toEpochMilli()).bind("id", id)
                .bind("state", RunState.ASSESSED.name()).execute()) == 1;
    }

    @Override
    public Claim claim(String id, String requestedBy, String toRevision, Collection<String> targetKeys, Instant now) {
        try {
            return jdbi.inTransaction(handle -> {
                int changed = handle.createUpdate("UPDATE runs SET state = :to, requested_by = :requestedBy, "
                                + "to_revision = :toRevision, updated_at = :now WHERE id = :id AND state = :from")
                        .bind("to", RunState.AWAITING_APPROVAL.name()).bind("from", RunState.ASSESSED.name())
                        .bind("requestedBy", requestedBy).bind("toRevision", toRevision)
                        .bind("now", now.toEpochMilli()).bind("id", id).execute();
                if (changed == 0) {
                    return new Claim.StateChanged(currentState(handle, id));
                }
                for (String key : targetKeys) {
                    handle.createUpdate("INSERT INTO target_locks (target_key, run_id) VALUES (:key, :id)")
                            .bind("key", Text.clip(key, 1000)).bind("id", id).execute();
                }
                return new Claim.Claimed();
            });
        } catch (RuntimeException e) {
            if (!Text.isUniqueViolation(e)) {
                throw e;
            }
            return jdbi.withHandle(handle -> {
                for (String key : targetKeys) {
                    Optional<String> holder = handle.createQuery("SELECT run_id FROM target_locks WHERE target_key = :key")
                            .bind("key", Text.clip(key, 1000)).mapTo(String.class).findOne();
                    if (holder.isPresent() && !holder.get().equals(id)) {
                        return new Claim.TargetBusy(holder.get());
                    }
                }
                return new Claim.StateChanged(currentState(handle, id));
            });
        }
    }

    @Override
    public boolean transition(String id, RunState from, RunState to, Optional<String> outcome, Instant now) {
        return transition(id, from, to, Optional.empty(), outcome, now);
    }

    @Override
    public boolean transitionIfRequestedBy(String id, RunState from, RunState to, String requestedBy,
                                           Optional<String> outcome, Instant now) {
        return transition(id, from, to, Optional.of(requestedBy), outcome, now);
    }

    private boolean transition(String id, RunState from, RunState to, Optional<String> requestedBy,
                               Optional<String> outcome, Instant now) {
        if (!from.canMoveTo(to)) {
            throw new IllegalArgumentException("a run cannot move from " + from + " to " + to);
        }
        return jdbi.inTransaction(handle -> {
            StringBuilder sql = new StringBuilder("UPDATE runs SET state = :to, updated_at = :now");
            if (to == RunState.EXECUTING) {
                sql.append(", started_at = :now");
            }
            if (to.isFinal()) {
                sql.append(", finished_at = :now, lease_owner = NULL, lease_until = NULL");
            }
            if (outcome.isPresent()) {
                sql.append(", outcome = :outcome");
            }
            sql.append(" WHERE id = :id AND state = :from");
            if (requestedBy.isPresent()) {
                sql.append(" AND requested_by = :requestedBy");
            }
            int changed = handle.createUpdate(sql.toString())
                    .bind("requestedBy", requestedBy.orElse(null))
                    .bind("to", to.name()).bind("from", from.name()).bind("now", now.toEpochMilli()).bind("id", id)
                    .bind("outcome", outcome.map(o -> Text.clip(o, 4000)).orElse(null))
                    .execute();
            if (changed == 1 && to.isFinal()) {
                handle.createUpdate("DELETE FROM target_locks WHERE run_id = :id").bind("id", id).execute();
            }
            return changed == 1;
        });
    }

    @Override
    public boolean lease(String id, String owner, String reclaimPrefix, Instant until, Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE runs SET lease_owner = :owner, lease_until = :until "
                        + "WHERE id = :id AND (lease_owner IS NULL OR lease_owner = :owner OR lease_until < :now "
                        + "OR lease_owner LIKE :prefix)")
                .bind("owner", owner).bind("until", until.toEpochMilli()).bind("now", now.toEpochMilli())
                .bind("prefix", reclaimPrefix.replace("%", "") + "%")
                .bind("id", id).execute()) == 1;
    }

    @Override
    public IncidentRoom incident(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT incident_channel, incident_status_ts, incident_note "
                        + "FROM runs WHERE id = :id").bind("id", runId)
                .map((rs, ctx) -> new IncidentRoom(Optional.ofNullable(rs.getString("incident_channel")),
                        Optional.ofNullable(rs.getString("incident_status_ts")),
                        Optional.ofNullable(rs.getString("incident_note"))))
                .findOne().orElse(IncidentRoom.none()));
    }

    @Override
    public void attachIncident(String runId, String channel, Optional<String> statusMessage) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE runs SET incident_channel = :channel, "
                        + "incident_status_ts = COALESCE(:ts, incident_status_ts) WHERE id = :id")
                .bind("channel", channel).bind("ts", statusMessage.orElse(null)).bind("id", runId).execute());
    }

    @Override
    public void noteIncident(String runId, String note) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE runs SET incident_note = :note WHERE id = :id")
                .bind("note", Text.clip(note, 1000)).bind("id", runId).execute());
    }

    @Override
    public void stepDone(String runId, FinishedStep step, Instant at) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO run_steps (run_id, step, target_key, finished_at, summary, "
                            + "live) VALUES (:runId, :step, :targetKey, :at, :summary, :live)")
                    .bind("runId", runId).bind("step", step.index()).bind("targetKey", Text.clip(step.targetKey(), 500))
                    .bind("at", at.toEpochMilli()).bind("summary", Text.clip(step.summary(), 2000))
                    .bind("live", step.live()).execute());
        } catch (RuntimeException e) {
            if (!Text.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    @Override
    public java.util.Map<Integer, FinishedStep> stepsDone(String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT step, target_key, summary, live FROM run_steps "
                        + "WHERE run_id = :runId ORDER BY step")
                .bind("runId", runId)
                .map((rs, ctx) -> new FinishedStep(rs.getInt("step"), rs.getString("target_key"), rs.getString("summary"),
                        rs.getBoolean("live")))
                .list().stream().collect(java.util.stream.Collectors.toMap(FinishedStep::index, step -> step)));
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
    public void setPolicy(String id, Optional<Instant> autoAt, String note) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE runs SET auto_at = :at, policy_note = :note WHERE id = :id")
                .bind("at", autoAt.map(Instant::toEpochMilli).orElse(null)).bind("note", Text.clip(note, 1000))
                .bind("id", id).execute());
    }

    @Override
    public boolean takeAuto(String id, Instant at, String note) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE runs SET auto_at = NULL, policy_note = :note "
                        + "WHERE id = :id AND auto_at = :at")
                .bind("note", Text.clip(note, 1000)).bind("id", id).bind("at", at.toEpochMilli()).execute()) == 1;
    }

    @Override
    public List<RollbackRun> dueAutos(Instant now) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM runs WHERE auto_at IS NOT NULL "
                        + "AND auto_at <= :now ORDER BY auto_at")
                .bind("now", now.toEpochMilli()).map(JdbiRunRepository::run).list());
    }

    @Override
    public boolean recordPolicyApplication(String service, String revision, String runId, Instant at) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO policy_applications (service, revision, run_id, "
                            + "applied_at) VALUES (:service, :revision, :runId, :at)")
                    .bind("service", service).bind("revision", Text.clip(revision, 200)).bind("runId", runId)
                    .bind("at", at.toEpochMilli()).execute());
            return true;
        } catch (RuntimeException e) {
            if (Text.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean policyApplied(String service, String revision) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM policy_applications WHERE service = :service "
                        + "AND revision = :revision").bind("service", service).bind("revision", Text.clip(revision, 200))
                .mapTo(Integer.class).one()) > 0;
    }

    @Override
    public void scheduleReassessment(String id, Instant at) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE runs SET reassess_at = :at WHERE id = :id")
                .bind("at", at == null ? null : at.toEpochMilli()).bind("id", id).execute());
    }

    @Override
    public boolean scheduleReassessmentIfUndecided(String id, Instant at) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE runs SET reassess_at = :at WHERE id = :id "
                        + "AND state = :state")
                .bind("at", at.toEpochMilli()).bind("id", id).bind("state", RunState.ASSESSED.name()).execute()) == 1;
    }

    @Override
    public List<RollbackRun> dueForReassessment(Instant now) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM runs WHERE reassess_at IS NOT NULL "
                        + "AND reassess_at <= :now ORDER BY reassess_at")
                .bind("now", now.toEpochMilli()).map(JdbiRunRepository::run).list());
    }

    @Override
    public Optional<String> leaseHolder(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT lease_owner FROM runs WHERE id = :id AND lease_owner IS NOT NULL")
                .bind("id", id).mapTo(String.class).findOne());
    }

    @Override
    public boolean addApproval(Approval approval) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO approvals (run_id, user_id, approved_at, break_glass) "
                            + "VALUES (:runId, :userId, :at, :breakGlass)")
                    .bind("runId", approval.runId()).bind("userId", approval.userId())
                    .bind("at", approval.at().toEpochMilli()).bind("breakGlass", approval.breakGlass()).execute());
            return true;
        } catch (RuntimeException e) {
            if (Text.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
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

    @Override
    public List<RollbackRun> inStates(Set<RunState> states) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM runs WHERE state IN (<states>) "
                        + "ORDER BY created_at")
                .bindList("states", states.stream().map(Enum::name).toList())
                .map(JdbiRunRepository::run).list());
    }

    @Override
    public Optional<RollbackRun> latestForService(String service) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM runs WHERE service = :service "
                        + "ORDER BY created_at DESC, id DESC LIMIT 1")
                .bind("service", service).map(JdbiRunRepository::run).findOne());
    }

    @Override
    public List<RollbackRun> startedSince(String service, Instant since) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM runs WHERE service = :service "
                        + "AND started_at IS NOT NULL AND started_at >= :since ORDER BY started_at DESC")
                .bind("service", service).bind("since", since.toEpochMilli()).map(JdbiRunRepository::run).list());
    }

    private static RunState currentState(Handle handle, String id) {
        return handle.createQuery("SELECT state FROM runs WHERE id = :id").bind("id", id)
                .mapTo(String.class).findOne().map(RunState::valueOf).orElse(RunState.ABORTED);
    }

    private static RollbackRun run(ResultSet rs, StatementContext ctx) throws SQLException {
        String channel = rs.getString("card_channel");
        String message = rs.getString("card_message");
        String assessment = rs.getString("assessment");
        return new RollbackRun(
                rs.getString("id"),
                rs.getString("service"),
                rs.getString("environment"),
                RunState.valueOf(rs.getString("state")),
                Trigger.valueOf(rs.getString("trigger_kind")),
                rs.getString("asked_by"),
                rs.getString("reason"),
                rs.getBoolean("dry_run"),
                Optional.ofNullable(assessment).map(AssessmentJson::read),
                Optional.ofNullable(rs.getString("requested_by")),
                Optional.ofNullable(rs.getString("to_revision")),
                channel == null || message == null ? Optional.empty()
                        : Optional.of(new RollbackRun.CardRef(channel, message)),
                Optional.ofNullable(rs.getString("outcome")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "auto_at"),
                Optional.ofNullable(rs.getString("policy_note")));
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
    }
}
