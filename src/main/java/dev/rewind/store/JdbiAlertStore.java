package dev.rewind.store;

import dev.rewind.alerts.Alert;
import dev.rewind.alerts.AlertStore;
import dev.rewind.rollback.AlertDigest;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Alerts in four tables; the primary key of {@code open_alert_incidents} keeps one open incident per service. */
public final class JdbiAlertStore implements AlertStore {

    private final Jdbi jdbi;

    public JdbiAlertStore(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public long savePayload(String source, String body, Instant at) {
        return jdbi.withHandle(handle -> handle.createUpdate("INSERT INTO alert_payloads (source, received_at, body) "
                        + "VALUES (:source, :at, :body)")
                .bind("source", source).bind("at", at.toEpochMilli()).bind("body", Text.clip(body, 1_000_000))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    @Override
    public void markProcessed(long payloadId, Instant at) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE alert_payloads SET processed_at = :at WHERE id = :id")
                .bind("at", at.toEpochMilli()).bind("id", payloadId).execute());
    }

    @Override
    public List<StoredPayload> unprocessed() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, source, body FROM alert_payloads "
                        + "WHERE processed_at IS NULL ORDER BY id")
                .map((rs, ctx) -> new StoredPayload(rs.getLong("id"), rs.getString("source"), rs.getString("body")))
                .list());
    }

    @Override
    public Incident openOrCreate(String service, String newId, Instant at) {
        Optional<Incident> open = jdbi.withHandle(handle -> find(handle, service));
        if (open.isPresent()) {
            return open.get();
        }
        try {
            jdbi.useTransaction(handle -> {
                handle.createUpdate("INSERT INTO alert_incidents (id, service, opened_at, updated_at) "
                                + "VALUES (:id, :service, :at, :at)")
                        .bind("id", newId).bind("service", service).bind("at", at.toEpochMilli()).execute();
                handle.createUpdate("INSERT INTO open_alert_incidents (service, incident_id) VALUES (:service, :id)")
                        .bind("service", service).bind("id", newId).execute();
            });
            return new Incident(newId, service, Optional.empty(), true);
        } catch (RuntimeException e) {
            if (!Text.isUniqueViolation(e)) {
                throw e;
            }
            return jdbi.withHandle(handle -> find(handle, service)).orElseThrow(() -> e);
        }
    }

    private static Optional<Incident> find(Handle handle, String service) {
        return handle.createQuery("SELECT i.id, i.service, i.run_id FROM open_alert_incidents o "
                        + "JOIN alert_incidents i ON i.id = o.incident_id WHERE o.service = :service")
                .bind("service", service)
                .map((rs, ctx) -> new Incident(rs.getString("id"), rs.getString("service"),
                        Optional.ofNullable(rs.getString("run_id")), false))
                .findOne();
    }

    @Override
    public boolean claimCard(String incidentId, Instant now, java.time.Duration stale) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE alert_incidents SET card_claimed_at = :now WHERE id = :id "
                        + "AND run_id IS NULL AND (card_claimed_at IS NULL OR card_claimed_at < :lapsed)")
                .bind("now", now.toEpochMilli()).bind("lapsed", now.minus(stale).toEpochMilli()).bind("id", incidentId)
                .execute()) == 1;
    }

    @Override
    public void linkRun(String incidentId, String runId) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE alert_incidents SET run_id = :runId WHERE id = :id")
                .bind("runId", runId).bind("id", incidentId).execute());
    }

    @Override
    public void record(String incidentId, Alert alert, Instant at, long payloadId) {
        String labels = Text.clip(new TreeMap<>(alert.labels()).toString(), 10_000);
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("UPDATE incident_alerts SET status = :status, summary = :summary, "
                            + "ends_at = :endsAt, last_seen_at = :at, "
                            + "seen = seen + CASE WHEN last_payload_id = :payload THEN 0 ELSE 1 END, last_payload_id = :payload "
                            + "WHERE incident_id = :incident AND fingerprint = :fingerprint")
                    .bind("payload", payloadId)
                    .bind("status", alert.status().name()).bind("summary", Text.clip(alert.summary(), 2000))
                    .bind("endsAt", alert.endsAt().map(Instant::toEpochMilli).orElse(null)).bind("at", at.toEpochMilli())
                    .bind("incident", incidentId).bind("fingerprint", Text.clip(alert.fingerprint(), 200)).execute();
            if (updated == 0) {
                handle.createUpdate("INSERT INTO incident_alerts (incident_id, fingerprint, name, status, summary, labels, "
                                + "starts_at, ends_at, last_seen_at, seen, last_payload_id) VALUES (:incident, :fingerprint, :name, "
                                + ":status, :summary, :labels, :startsAt, :endsAt, :at, 1, :payload)")
                        .bind("payload", payloadId)
                        .bind("incident", incidentId).bind("fingerprint", Text.clip(alert.fingerprint(), 200))
                        .bind("name", Text.clip(alert.name(), 300)).bind("status", alert.status().name())
                        .bind("summary", Text.clip(alert.summary(), 2000)).bind("labels", labels)
                        .bind("startsAt", alert.startsAt().toEpochMilli())
                        .bind("endsAt", alert.endsAt().map(Instant::toEpochMilli).orElse(null))
                        .bind("at", at.toEpochMilli()).execute();
            }
            handle.createUpdate("UPDATE alert_incidents SET updated_at = :at WHERE id = :id")
                    .bind("at", at.toEpochMilli()).bind("id", incidentId).execute();
        });
    }

    @Override
    public boolean closeIfQuiet(String incidentId, Instant at) {
        return jdbi.inTransaction(handle -> {
            int firing = handle.createQuery("SELECT COUNT(*) FROM incident_alerts WHERE incident_id = :id AND status = 'FIRING'")
                    .bind("id", incidentId).mapTo(Integer.class).one();
            if (firing > 0) {
                return false;
            }
            int closed = handle.createUpdate("DELETE FROM open_alert_incidents WHERE incident_id = :id")
                    .bind("id", incidentId).execute();
            handle.createUpdate("UPDATE alert_incidents SET resolved_at = :at WHERE id = :id AND resolved_at IS NULL")
                    .bind("at", at.toEpochMilli()).bind("id", incidentId).execute();
            return closed == 1;
        });
    }

    @Override
    public List<Incident> expireQuiet(Optional<String> service, Optional<Alert> repeat, Instant quietSince, Instant at) {
        return jdbi.inTransaction(handle -> {
            List<Incident> quiet = handle.createQuery("SELECT i.id, i.service, i.run_id FROM open_alert_incidents o "
                            + "JOIN alert_incidents i ON i.id = o.incident_id WHERE i.updated_at < :since"
                            + (service.isPresent() ? " AND o.service = :service" : "")
                            + (repeat.isPresent() ? " AND NOT EXISTS (SELECT 1 FROM incident_alerts a "
                            + "WHERE a.incident_id = i.id AND a.fingerprint = :fingerprint AND a.starts_at = :startsAt)" : ""))
                    .bind("since", quietSince.toEpochMilli()).bind("service", service.orElse(""))
                    .bind("fingerprint", repeat.map(a -> Text.clip(a.fingerprint(), 200)).orElse(""))
                    .bind("startsAt", repeat.map(a -> a.startsAt().toEpochMilli()).orElse(0L))
                    .map((rs, ctx) -> new Incident(rs.getString("id"), rs.getString("service"),
                            Optional.ofNullable(rs.getString("run_id")), false))
                    .list();
            List<Incident> closed = new ArrayList<>();
            for (Incident incident : quiet) {
                if (handle.createUpdate("DELETE FROM open_alert_incidents WHERE incident_id = :id")
                        .bind("id", incident.id()).execute() == 1) {
                    handle.createUpdate("UPDATE alert_incidents SET expired_at = :at WHERE id = :id")
                            .bind("at", at.toEpochMilli()).bind("id", incident.id()).execute();
                    closed.add(incident);
                }
            }
            return closed;
        });
    }

    @Override
    public void recordUnrouted(Alert alert, Instant at, long payloadId) {
        // insertOnce: the same payload handled again after a restart does not record its alerts twice
        Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO unrouted_alerts (fingerprint, name, "
                        + "labels, received_at, payload_id) VALUES (:fingerprint, :name, :labels, :at, :payload)")
                .bind("fingerprint", Text.clip(alert.fingerprint(), 200)).bind("name", Text.clip(alert.name(), 300))
                .bind("labels", Text.clip(new TreeMap<>(alert.labels()).toString(), 10_000)).bind("at", at.toEpochMilli())
                .bind("payload", payloadId).execute()));
    }

    @Override
    public Forgotten forgetBefore(Instant cutoff) {
        String finished = "SELECT id FROM alert_incidents WHERE COALESCE(resolved_at, expired_at) < :cutoff "
                + "AND id NOT IN (SELECT incident_id FROM open_alert_incidents)";
        return jdbi.inTransaction(handle -> {
            int payloads = handle.createUpdate("DELETE FROM alert_payloads WHERE received_at < :cutoff "
                    + "AND processed_at IS NOT NULL").bind("cutoff", cutoff.toEpochMilli()).execute();
            int unrouted = handle.createUpdate("DELETE FROM unrouted_alerts WHERE received_at < :cutoff")
                    .bind("cutoff", cutoff.toEpochMilli()).execute();
            handle.createUpdate("DELETE FROM incident_alerts WHERE incident_id IN (" + finished + ")")
                    .bind("cutoff", cutoff.toEpochMilli()).execute();
            int incidents = handle.createUpdate("DELETE FROM alert_incidents WHERE id IN (" + finished + ")")
                    .bind("cutoff", cutoff.toEpochMilli()).execute();
            return new Forgotten(payloads, unrouted, incidents);
        });
    }

    @Override
    public Optional<AlertDigest> digestForRun(String runId) {
        return jdbi.withHandle(handle -> {
            Optional<Map<String, Object>> incident = handle.createQuery("SELECT id, opened_at, resolved_at, expired_at FROM alert_incidents "
                    + "WHERE run_id = :runId").bind("runId", runId).mapToMap().findOne();
            if (incident.isEmpty()) {
                return Optional.empty();
            }
            String id = String.valueOf(incident.get().get("id"));
            record Row(String name, String status, String summary, long startsAt, long lastSeen, int seen) {
            }
            List<Row> rows = handle.createQuery("SELECT name, status, summary, starts_at, last_seen_at, seen FROM incident_alerts "
                            + "WHERE incident_id = :id ORDER BY last_seen_at")
                    .bind("id", id)
                    .map((rs, ctx) -> new Row(rs.getString("name"), rs.getString("status"), rs.getString("summary"),
                            rs.getLong("starts_at"), rs.getLong("last_seen_at"), rs.getInt("seen")))
                    .list();
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            Row latest = rows.get(rows.size() - 1);
            Object resolved = incident.get().get("resolved_at");
            Object expired = incident.get().get("expired_at");
            return Optional.of(new AlertDigest(rows.size(), (int) rows.stream().filter(r -> r.status().equals("FIRING")).count(),
                    rows.stream().mapToInt(Row::seen).sum(), latest.name(), latest.summary(),
                    Instant.ofEpochMilli(rows.stream().mapToLong(Row::startsAt).min().orElse(latest.startsAt())),
                    Instant.ofEpochMilli(latest.lastSeen()),
                    resolved == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(((Number) resolved).longValue())),
                    expired == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(((Number) expired).longValue()))));
        });
    }
}
