package dev.rewind.readiness;

/**
 * Whether the chat system would let Rewind open an incident channel now (the bot's token carries the
 * scope). Implemented by the chat front end; never throws.
 */
public interface IncidentRoomCheck {

    ReadinessCheck check();

    /** Without a chat system nothing can be checked. */
    IncidentRoomCheck NONE = () -> ReadinessCheck.unknown(ServiceReadiness.ROOM, "Slack is not configured");
}
