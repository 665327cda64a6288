package dev.rewind.outbox;

import java.time.Duration;

/**
 * Which deliveries from chat (Slack event ids, action timestamps) were already handled, across replicas
 * and restarts, so that a retry or a replay is recognised and handled once. The inbound twin of the
 * outbox, which makes sure each message out is sent once.
 */
public interface DeliveryLog {

    /** @return true the first time {@code key} is seen, false for every repeat; never blocks for long */
    boolean firstTime(String key);

    /** Forgets deliveries older than {@code age} (longer than the chat platform would ever retry). */
    int forgetOlderThan(Duration age);
}
