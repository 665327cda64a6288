package dev.rewind.slack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slack allows about one message per second per channel, and about 50 edits a minute per method:
 * this spaces the outbox's calls accordingly, so 429s are the exception rather than the rule.
 */
final class ChannelPacer {

    static final Duration POST_SPACING = Duration.ofMillis(1_000);
    static final Duration UPDATE_SPACING = Duration.ofMillis(1_200);

    private final Clock clock;
    private final Map<String, Instant> nextAllowed = new ConcurrentHashMap<>();

    ChannelPacer(Clock clock) {
        this.clock = clock;
    }

    /** How long to wait before the next call on {@code key}; empty when it may go now (and books the slot). */
    Optional<Duration> book(String key, Duration spacing) {
        Instant now = clock.instant();
        Instant allowed = nextAllowed.getOrDefault(key, now);
        if (allowed.isAfter(now)) {
            return Optional.of(Duration.between(now, allowed));
        }
        nextAllowed.put(key, now.plus(spacing));
        return Optional.empty();
    }
}
