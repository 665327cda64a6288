package dev.rewind.store;

import dev.rewind.outbox.DeliveryLog;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;

/**
 * Remembers which Slack deliveries (event ids, action timestamps) were already handled, across
 * replicas and restarts, so a retry or a replay is recognised.
 */
public final class JdbiDeliveryLog implements DeliveryLog {

    private final Jdbi jdbi;
    private final Clock clock;

    public JdbiDeliveryLog(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /** @return true the first time a key is seen, false for every repeat */
    @Override
    public boolean firstTime(String key) {
        return Text.insertOnce(() -> jdbi.useHandle(handle -> handle.createUpdate(
                "INSERT INTO slack_deliveries (delivery_key, received_at) "
                                + "VALUES (:key, :at)")
                        .bind("key", Text.clip(key, 300)).bind("at", clock.millis()).execute()));
    }

    /** Forgets deliveries older than Slack would ever retry. */
    @Override
    public int forgetOlderThan(Duration age) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM slack_deliveries WHERE received_at < :cutoff")
                .bind("cutoff", clock.millis() - age.toMillis()).execute());
    }
}
