package dev.rewind.rollback;

import dev.rewind.schedule.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One "join the open card or open a new one" decision per service at a time, across replicas: a command typed on
 * one replica and an alert taken by another in the same instant would otherwise both find no open card and post
 * two. The decision (a lookup, then joining that card or assessing and posting a new one) runs while this replica
 * holds a short lease on
 * {@code open-card:<service>}; a replica that died holding it loses it after {@link #HOLD}. If the lease cannot be
 * had within {@link #PATIENCE} the decision goes ahead anyway: a second card is better than none.
 */
public final class OpeningGate {

    private static final Logger LOG = LoggerFactory.getLogger(OpeningGate.class);
    static final Duration HOLD = Duration.ofSeconds(30);
    /** Longer than an assessment (5 s budget) and a card's post, which the holder does before it lets go. */
    static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final long POLL_MILLIS = 25;

    private final JobLeases leases;
    private final String holder;
    private final Clock clock;

    public OpeningGate(JobLeases leases, String holder, Clock clock) {
        this.leases = leases;
        this.holder = holder;
        this.clock = clock;
    }

    /** Runs {@code decision} while no other replica decides for {@code service}. */
    public <T> T exclusively(String service, Supplier<T> decision) {
        String job = "open-card:" + service;
        boolean held = false;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        try {
            while (!(held = hold(job)) && System.nanoTime() < deadline) {
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!held) {
            LOG.warn("another replica held {} for over {}; deciding without it", job, PATIENCE);
        }
        try {
            return decision.get();
        } finally {
            if (held) {
                release(job);
            }
        }
    }

    private boolean hold(String job) {
        Instant now = clock.instant();
        try {
            return leases.hold(job, holder, now, now.plus(HOLD));
        } catch (RuntimeException e) {
            // The database is what the decision needs too; let it fail there, with its own message.
            LOG.debug("could not take {}: {}", job, e.getMessage());
            return true;
        }
    }

    private void release(String job) {
        try {
            leases.release(job, holder);
        } catch (RuntimeException e) {
            LOG.debug("could not give up {} (it runs out in {}): {}", job, HOLD, e.getMessage());
        }
    }
}
