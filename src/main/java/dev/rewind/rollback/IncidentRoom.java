package dev.rewind.rollback;

import java.util.Optional;

/**
 * Where a run is followed live: a chat channel and the status message edited in place there, or a
 * note saying why there is none (a missing scope, a refused invite).
 */
public record IncidentRoom(Optional<String> channel, Optional<String> statusMessage, Optional<String> note) {

    public static IncidentRoom none() {
        return new IncidentRoom(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public boolean exists() {
        return channel.isPresent();
    }
}
