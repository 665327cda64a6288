package dev.rewind.store;

import dev.rewind.outbox.Message;
import dev.rewind.outbox.OutboxStore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.Update;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The outbox as a table; a worker claims a stream's head with a conditional update, so replicas never send twice. */
public final class JdbiOutbox implements OutboxStore {

    private static final String COLUMNS = "seq, stream, kind, run_id, channel, payload, created_at, attempts";

    private final Jdbi jdbi;

    public JdbiOutbox(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public void append(String stream, String kind, Optional<String> runId, Optional<String> channel, String payload,
                       Instant now) {
        jdbi.useHandle(handle -> bindRow(handle.createUpdate("INSERT INTO outbox (stream, kind, run_id, channel, payload, "
                + "created_at, attempts, next_attempt_at) VALUES (:stream, :kind, :runId, :channel, :payload, :now, 0, :now)"),
                stream, kind, runId, channel, payload, now).execute());
    }

    @Override
    public void appendUnlessWaiting(String stream, String kind, Optional<String> runId, Optional<String> channel, Instant now) {
        jdbi.useHandle(handle -> bindRow(handle.createUpdate("INSERT INTO outbox (stream, kind, run_id, channel, payload, "
                        + "created_at, attempts, next_attempt_at) SELECT :stream, :kind, :runId, :channel, :payload, :now, 0, :now "
                        + "WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE stream = :stream AND kind = :kind "
                        + "AND sent_at IS NULL AND claimed_by IS NULL)"),
                stream, kind, runId, channel, "", now).execute());
    }

    private static Update bindRow(Update update, String stream, String kind, Optional<String> runId,
                                  Optional<String> channel, String payload, Instant now) {
        update.bind("stream", stream).bind("kind", kind).bind("payload", Text.clip(payload, 100_000))
                .bind("now", now.toEpochMilli());
        if (runId.isPresent()) {
            update.bind("runId", runId.get());
        } else {
            update.bindNull("runId", Types.VARCHAR);
        }
        if (channel.isPresent()) {
            update.bind("channel", channel.get());
        } else {
            update.bindNull("channel", Types.VARCHAR);
        }
        return update;
    }

    @Override
    public List<Batch> claim(String worker, Instant now, Instant until, int limit) {
        return jdbi.withHandle(handle -> {
            List<Message> heads = handle.createQuery("SELECT " + COLUMNS + " FROM outbox o WHERE o.sent_at IS NULL "
                            + "AND o.seq = (SELECT MIN(p.seq) FROM outbox p WHERE p.stream = o.stream AND p.sent_at IS NULL) "
                            + "AND o.next_attempt_at <= :now "
                            + "AND (o.claimed_until IS NULL OR o.claimed_until < :now OR o.claimed_by = :worker) "
                            + "ORDER BY o.seq LIMIT :limit")
                    .bind("now", now.toEpochMilli()).bind("worker", worker).bind("limit", limit)
                    .map(JdbiOutbox::message).list();
            List<Batch> batches = new ArrayList<>();
            for (Message head : heads) {
                int claimed = handle.createUpdate("UPDATE outbox SET claimed_by = :worker, claimed_until = :until "
                                + "WHERE seq = :seq AND sent_at IS NULL "
                                + "AND (claimed_until IS NULL OR claimed_until < :now OR claimed_by = :worker)")
                        .bind("worker", worker).bind("until", until.toEpochMilli()).bind("now", now.toEpochMilli())
                        .bind("seq", head.seq()).execute();
                if (claimed == 1) {
                    batches.add(new Batch(head, following(handle, head)));
                }
            }
            return batches;
        });
    }

    private static List<Message> following(Handle handle, Message head) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM outbox WHERE stream = :stream AND sent_at IS NULL "
                        + "AND seq > :seq ORDER BY seq LIMIT 50")
                .bind("stream", head.stream()).bind("seq", head.seq()).map(JdbiOutbox::message).list();
    }

    @Override
    public void markSent(List<Long> seqs, Instant now, Optional<String> note) {
        if (seqs.isEmpty()) {
            return;
        }
        jdbi.useHandle(handle -> {
            Update update = handle.createUpdate("UPDATE outbox SET sent_at = :now, last_error = :note, claimed_by = NULL, "
                    + "claimed_until = NULL WHERE seq IN (<seqs>)").bindList("seqs", seqs).bind("now", now.toEpochMilli());
            if (note.isPresent()) {
                update.bind("note", Text.clip(note.get(), 1000));
            } else {
                update.bindNull("note", Types.VARCHAR);
            }
            update.execute();
        });
    }

    @Override
    public void retryLater(long seq, Instant at, String why, boolean attempted) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE outbox SET attempts = attempts + :add, next_attempt_at = :at, "
                        + "last_error = :why, claimed_by = NULL, claimed_until = NULL WHERE seq = :seq")
                .bind("add", attempted ? 1 : 0).bind("at", at.toEpochMilli()).bind("why", Text.clip(why, 1000))
                .bind("seq", seq).execute());
    }

    @Override
    public boolean anyDue(Instant by) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL "
                        + "AND next_attempt_at <= :by").bind("by", by.toEpochMilli()).mapTo(Integer.class).one()) > 0;
    }

    @Override
    public int waiting() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                .mapTo(Integer.class).one());
    }

    /** Deletes messages sent longer ago than {@code age}. */
    public int forgetSentBefore(Instant now, Duration age) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < :cutoff")
                .bind("cutoff", now.minus(age).toEpochMilli()).execute());
    }

    private static Message message(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Message(rs.getLong("seq"), rs.getString("stream"), rs.getString("kind"),
                Optional.ofNullable(rs.getString("run_id")), Optional.ofNullable(rs.getString("channel")),
                rs.getString("payload") == null ? "" : rs.getString("payload"),
                Instant.ofEpochMilli(rs.getLong("created_at")), rs.getInt("attempts"));
    }
}
