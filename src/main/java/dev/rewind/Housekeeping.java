package dev.rewind;

import dev.rewind.schedule.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The bot's periodic work in one list: each job named (the name is what its log line says when it
 * fails), with its first delay and its period. A job that throws is logged and runs again next time.
 * Each job says whether it runs on every replica ({@link #every}) or on one replica at a time
 * ({@link #everyOnOneReplica}): the latter runs only while this replica holds the job's lease in the
 * shared database, renewed each run for {@value #LEASE_PERIODS} periods, so a replica that dies is
 * replaced once its lease runs out.
 */
final class Housekeeping {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    static final int LEASE_PERIODS = 3;

    private record Job(String what, Duration first, Duration every, boolean oneReplica, Runnable work) {
    }

    private final List<Job> jobs = new ArrayList<>();
    private final JobLeases leases;
    private final String holder;
    private final Clock clock;

    /** @param holder this replica's name in the leases: unique per process */
    Housekeeping(JobLeases leases, String holder, Clock clock) {
        this.leases = leases;
        this.holder = holder;
        this.clock = clock;
    }

    /** Adds a job that runs on this replica {@code first} after start, then {@code every} after each run ends. */
    Housekeeping every(Duration every, Duration first, String what, Runnable work) {
        jobs.add(new Job(what, first, every, false, work));
        return this;
    }

    /** Like {@link #every}, but each run happens only if this replica holds (or takes) the job's lease. */
    Housekeeping everyOnOneReplica(Duration every, Duration first, String what, Runnable work) {
        jobs.add(new Job(what, first, every, true, work));
        return this;
    }

    /** Schedules every job on {@code timers}. */
    void start(ScheduledExecutorService timers) {
        for (Job job : jobs) {
            timers.scheduleWithFixedDelay(() -> run(job), job.first().toMillis(),
                    job.every().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Gives up this replica's job leases; call once the timers have stopped. */
    void releaseLeases() {
        leases.releaseAll(holder);
    }

    /** Runs every job once now, as one tick of the timers would (lease rules included). */
    void tick() {
        jobs.forEach(this::run);
    }

    private void run(Job job) {
        guarded(job.what(), () -> {
            if (job.oneReplica()) {
                Instant now = clock.instant();
                if (!leases.hold(job.what(), holder, now, now.plus(job.every().multipliedBy(LEASE_PERIODS)))) {
                    return;
                }
            }
            job.work().run();
        });
    }

    /** Runs {@code work} now, logging (not throwing) its failure. */
    static void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.error("{} failed", what, e);
        }
    }
}
