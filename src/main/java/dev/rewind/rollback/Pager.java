package dev.rewind.rollback;

import java.util.Map;

/**
 * Pages people outside chat (PagerDuty's Events API v2). The integration's routing key is read from the
 * environment variable named in {@code rewind.yml}; it is never logged. Implementations retry on their own and
 * never throw: a pager that cannot be reached is logged, and the chat escalation has been sent regardless.
 */
public interface Pager {

    /**
     * Opens (or, for the same {@code dedupKey}, updates) an incident.
     *
     * @return empty when PagerDuty took it; else why not, in words for the card ("PAGERDUTY_ROUTING_KEY is not set")
     */
    java.util.Optional<String> trigger(String routingKeyEnv, String dedupKey, String summary, String severity,
                                       Map<String, Object> details);

    /** Resolves the incident opened with {@code dedupKey}. */
    java.util.Optional<String> resolve(String routingKeyEnv, String dedupKey);
}
