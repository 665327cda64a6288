package dev.rewind.alerts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Forgets stored alerts older than the catalogue's {@code retention} (90 days unless configured):
 * payloads as received, alerts that matched no service, and alert incidents that closed that long ago.
 * Anyone who can reach the webhook or post in a watched channel adds rows; this keeps them bounded.
 * Run it from a timer; each run deletes what aged out since the last.
 */
public final class AlertRetention {

    private static final Logger LOG = LoggerFactory.getLogger(AlertRetention.class);

    private final AlertStore store;
    private final Supplier<Duration> retention;
    private final Clock clock;

    public AlertRetention(AlertStore store, Supplier<Duration> retention, Clock clock) {
        this.store = store;
        this.retention = retention;
        this.clock = clock;
    }

    public AlertStore.Forgotten run() {
        Duration keep = retention.get();
        AlertStore.Forgotten forgotten = store.forgetBefore(clock.instant().minus(keep));
        if (forgotten.total() > 0) {
            LOG.info("Retention ({} days): deleted {} alert payload(s), {} unrouted alert(s), {} closed alert incident(s)",
                    keep.toDays(), forgotten.payloads(), forgotten.unrouted(), forgotten.incidents());
        }
        return forgotten;
    }
}
