package dev.rewind.store;

import dev.rewind.rollback.IncidentRoom;
import dev.rewind.rollback.IncidentRooms;
import org.jdbi.v3.core.Jdbi;
import java.util.Optional;

/** {@link IncidentRooms} on JDBI: Each run's incident room, kept on its row of {@code runs}. */
public final class JdbiIncidentRooms implements IncidentRooms {

    private final Jdbi jdbi;

    public JdbiIncidentRooms(Database database) {
        this.jdbi = database.jdbi();
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
}
