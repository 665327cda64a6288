package dev.rewind.store;

import dev.rewind.rollback.AnnouncementThreads;
import org.jdbi.v3.core.Jdbi;

import java.util.Optional;

/** {@link AnnouncementThreads} on JDBI ({@code run_announcements}). */
public final class JdbiAnnouncementThreads implements AnnouncementThreads {

    private final Jdbi jdbi;

    public JdbiAnnouncementThreads(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public Optional<String> thread(String runId, String channel) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT ts FROM run_announcements WHERE run_id = :runId "
                        + "AND channel = :channel").bind("runId", runId).bind("channel", channel).mapTo(String.class).findOne());
    }

    @Override
    public void remember(String runId, String channel, String messageId) {
        Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO run_announcements (run_id, channel, ts) "
                + "VALUES (:runId, :channel, :ts)").bind("runId", runId).bind("channel", channel).bind("ts", messageId).execute()));
    }
}
