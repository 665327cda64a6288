package dev.rewind;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The bot's periodic work in one list: each job named (the name is what its log line says when it
 * fails), with its first delay and its period. A job that throws is logged and runs again next time.
 */
final class Housekeeping {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    private record Job(String what, Duration first, Duration every, Runnable work) {
    }

    private final List<Job> jobs = new ArrayList<>();

    /** Adds a job that runs {@code first} after start, then {@code every} after each run ends. */
    Housekeeping every(Duration every, Duration first, String what, Runnable work) {
        jobs.add(new Job(what, first, every, work));
        return this;
    }

    /** Schedules every job on {@code timers}. */
    void start(ScheduledExecutorService timers) {
        for (Job job : jobs) {
            timers.scheduleWithFixedDelay(() -> guarded(job.what(), job.work()), job.first().toMillis(),
                    job.every().toMillis(), TimeUnit.MILLISECONDS);
        }
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
