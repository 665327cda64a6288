package dev.rewind.rollback;

import java.util.Optional;

/** Where the first stakeholder message about each run went, so later ones thread under it. */
public interface AnnouncementThreads {

    Optional<String> thread(String runId, String channel);

    /** Records the first message; a second one for the same run and channel is ignored. */
    void remember(String runId, String channel, String messageId);
}
