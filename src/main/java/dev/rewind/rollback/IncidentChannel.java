package dev.rewind.rollback;


import java.util.Optional;


/**
 * The domain's only voice towards people. Implementations must not block the caller on the chat
 * system: a slow or rate-limited chat slows the messages, never the rollback.
 */
public interface IncidentChannel {

    /**
     * Posts a run's first card to {@code channel}; a run that already has one answers with it
     * (and has it redrawn).
     */
    CardPlacement showCard(RunView view, String channel);

    /** The run changed: its card is redrawn from the run's state when the message goes out. Asynchronous. */
    void cardChanged(String runId, RollbackRun.CardRef card);

    /** Opens (or reuses) the run's incident room and invites the people involved; asynchronous. */
    void openIncident(String runId);

    /** One step of a run in progress, for its live status and timeline. */
    void progress(RunEvent event, Optional<RollbackRun.CardRef> card);

    /** A message that is not a card (resumed after a restart, a policy note…). */
    void announce(String channel, String text);

    /**
     * A message about run {@code runId} for stakeholders in {@code channel}: the first one starts a thread there,
     * later ones about the same run reply in it. In order, asynchronous.
     */
    void announceRun(String runId, String channel, String text);

    /** A reply in the thread under a card (a deadline reminder), so it reaches the people following that card. */
    void reply(RollbackRun.CardRef card, String text);
}
