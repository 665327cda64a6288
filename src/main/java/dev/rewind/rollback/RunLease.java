package dev.rewind.rollback;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The lease a process holds on a run while it executes it, so a second replica or a restarted process
 * never executes it twice: acquired with a conditional update, renewed every quarter of its term on a
 * scheduler of its own, taken over when it ran out (or at once from a dead process on this host), and
 * released early on shutdown.
 */
public final class RunLease {

    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);
    static final Duration TERM = Duration.ofSeconds(60);

    private final RunRepository runs;
    private final Owner owner;
    private final ScheduledExecutorService renewals;
    private final Clock clock;
    private final Set<String> lost = ConcurrentHashMap.newKeySet();

    /**
     * Who executes: {@code host/pid/nonce}. A process finding a lease held by another process of the same
     * host knows that process is gone (a host runs one Rewind) and takes the run over at once.
     */
    public record Owner(String host, String name) {
        public static Owner of(String host, String pid) {
            return new Owner(host, host + "/" + pid + "/" + UUID.randomUUID().toString().substring(0, 8));
        }
    }

    /**
     * @param renewals runs the renewals; give it a thread of its own, since nothing slow on a shared
     *                 scheduler may let a lease run out
     */
    public RunLease(RunRepository runs, Owner owner, ScheduledExecutorService renewals, Clock clock) {
        this.runs = runs;
        this.owner = owner;
        this.renewals = renewals;
        this.clock = clock;
    }

    /** The name this process holds leases under. */
    public String ownerName() {
        return owner.name();
    }

    /** Takes the lease of an abandoned run: one whose lease ran out, or whose holder on this host is gone. */
    boolean takeOver(String runId) {
        Instant now = clock.instant();
        return runs.lease(runId, owner.name(), takeOverFrom(runId), now.plus(TERM), now);
    }

    /**
     * Acquires (or extends) this process's lease and keeps renewing it until the returned handle is
     * closed; empty when another process holds it.
     */
    Optional<Held> hold(String runId) {
        Instant now = clock.instant();
        if (!runs.lease(runId, owner.name(), owner.name(), now.plus(TERM), now)) {
            return Optional.empty();
        }
        lost.remove(runId);
        long every = TERM.toSeconds() / 4;
        ScheduledFuture<?> renewal = renewals.scheduleWithFixedDelay(() -> renew(runId), every, every, TimeUnit.SECONDS);
        return Optional.of(() -> renewal.cancel(false));
    }

    /** Whether another process took the run over while this one held it. */
    boolean lost(String runId) {
        return lost.contains(runId);
    }

    /** Lets the lease run out now, so the next process picks the run up without waiting. */
    void release(String runId) {
        Instant now = clock.instant();
        runs.lease(runId, owner.name(), owner.name(), now, now);
    }

    /** A held lease; closing it stops the renewals. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Renews a lease; a renewal refused (another process took the run) marks it lost. */
    private void renew(String runId) {
        try {
            Instant now = clock.instant();
            if (!runs.lease(runId, owner.name(), owner.name(), now.plus(TERM), now)) {
                LOG.warn("run {}: the lease went to another Rewind process; this one stops at its next step", runId);
                lost.add(runId);
            }
        } catch (RuntimeException e) {
            LOG.warn("run {}: renewing the lease failed ({}); trying again", runId, e.getMessage());
        }
    }

    /**
     * Whose lease may be taken over at once: a holder on this host whose process is gone (its pid is not
     * alive, or is ours because we replaced it in a container). Anyone else's lease must run out first.
     */
    private String takeOverFrom(String runId) {
        Optional<String> holder = runs.leaseHolder(runId);
        if (holder.isEmpty() || holder.get().equals(owner.name()) || !holder.get().startsWith(owner.host() + "/")) {
            return owner.name();
        }
        String[] parts = holder.get().split("/");
        try {
            long pid = Long.parseLong(parts[1]);
            boolean gone = pid == ProcessHandle.current().pid()
                    || ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
            return gone ? holder.get() : owner.name();
        } catch (RuntimeException e) {
            return owner.name();
        }
    }
}
