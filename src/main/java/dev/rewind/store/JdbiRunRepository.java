package dev.rewind.store;

import dev.rewind.assess.Assessment;
import dev.rewind.rollback.RollbackRun;
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
    public List<RollbackRun> openForService(String service) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM runs WHERE service = :service "
                        + "AND state IN (<states>) ORDER BY created_at DESC, id DESC")
                .bind("service", service)
                .bindList("states", java.util.stream.Stream.concat(java.util.stream.Stream.of(RunState.ASSESSED),
                        RunState.holding().stream()).map(Enum::name).toList())
                .map(JdbiRunRepository::run).list());
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
