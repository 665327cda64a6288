package dev.rewind.rollback;

import java.util.Optional;

/**
 * Each run's incident room: its channel, its pinned status message, or why it has none.
 */
public interface IncidentRooms {

    /** The run's room as recorded (none yet when it was never opened). */
    IncidentRoom incident(String runId);

    /** Records the run's incident channel and, once posted, its status message. */
    void attachIncident(String runId, String channel, Optional<String> statusMessage);

    /** Records why a run has no incident room (or what went wrong with it). */
    void noteIncident(String runId, String note);
}
