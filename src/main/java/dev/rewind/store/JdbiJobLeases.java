package dev.rewind.store;

import dev.rewind.schedule.JobLeases;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;

/**
 * Job leases in the {@code job_leases} table. Taking one is a single conditional UPDATE (the row is
 * ours or has run out) or, for a job never leased, an INSERT that the primary key lets only one
 * replica win; so two replicas on one database never both hold a lease.
 */
public final class JdbiJobLeases implements JobLeases {

    private final Jdbi jdbi;

    public JdbiJobLeases(Database database) {
        this.jdbi = database.jdbi();
    }

    @Override
    public boolean hold(String job, String holder, Instant now, Instant until) {
        int updated = jdbi.withHandle(handle -> handle.createUpdate("UPDATE job_leases SET holder = :holder, "
                        + "expires_at = :until WHERE job = :job AND (holder = :holder OR expires_at <= :now)")
                .bind("job", job).bind("holder", holder).bind("until", until.toEpochMilli())
                .bind("now", now.toEpochMilli()).execute());
        if (updated == 1) {
            return true;
        }
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO job_leases (job, holder, expires_at) "
                            + "VALUES (:job, :holder, :until)")
                    .bind("job", job).bind("holder", holder).bind("until", until.toEpochMilli()).execute());
            return true;
        } catch (RuntimeException e) {
            if (!Text.isUniqueViolation(e)) {
                throw e;
            }
            return false; // held by another replica, or another replica inserted it first
        }
    }

    @Override
    public void release(String job, String holder) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM job_leases WHERE job = :job AND holder = :holder")
                .bind("job", job).bind("holder", holder).execute());
    }

    @Override
    public void releaseAll(String holder) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM job_leases WHERE holder = :holder")
                .bind("holder", holder).execute());
    }
}
