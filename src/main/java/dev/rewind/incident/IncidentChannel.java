package dev.rewind.incident;

import dev.rewind.rollback.RollbackRun;
import dev.rewind.rollback.RunEvent;
import dev.rewind.rollback.RunView;

import java.util.Optional;

/**
 * The domain's only voice towards people. Implementations must not block the caller on the chat
 * system: a slow or rate-limited chat slows the messages, never the rollback.
 */
public interface IncidentChannel {

    /**
     * Shows a run's card: posts it to {@code channel} when it has none yet, else edits it in place.
     *
     * @return where the card now is, when it was posted by this call and is known
     */
    Optional<RollbackRun.CardRef> showCard(RunView view, String channel);

    /** One step of a run in progress, for its live status and timeline. */
    void progress(RunView view, RunEvent event);

    /** A message that is not a card (resumed after a restart, a policy note…). */
    void announce(String channel, String text);
}
