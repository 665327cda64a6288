package dev.rewind.rollback;

import java.util.Map;

/**
 * Pages people outside chat (PagerDuty's Events API v2). The integration's routing key is read from the
 * environment variable named in {@code rewind.yml}; it is never logged. Implementations retry on their own and
 * never throw: a pager that cannot be reached is logged, and the chat escalation has been sent regardless.
 */
public interface Pager {

    /** Opens (or, for the same {@code dedupKey}, updates) an incident. */
    void trigger(String routingKeyEnv, String dedupKey, String summary, String severity, Map<String, Object> details);

    /** Resolves the incident opened with {@code dedupKey}. */
    void resolve(String routingKeyEnv, String dedupKey);
}
