package dev.rewind.incident;

import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunView;


/**
 * The domain's only voice towards people. Implementations must not block the caller on the chat
 * system: a slow or rate-limited chat slows the messages, never the rollback.
 */
public interface IncidentChannel {

    /**
     * Shows a run's card: posts it to {@code channel} when it has none yet, else edits it in place
     * (and then answers with the card it already has).
     */
    CardPlacement showCard(RunView view, String channel);

    /** Opens (or reuses) the run's incident room and invites the people involved; asynchronous. */
    void openIncident(RunView view);

    /** One step of a run in progress, for its live status and timeline. */
    void progress(RunView view, RunEvent event);

    /** A message that is not a card (resumed after a restart, a policy note…). */
    void announce(String channel, String text);
}
