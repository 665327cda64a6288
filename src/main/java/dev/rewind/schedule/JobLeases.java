package dev.rewind.schedule;

import java.time.Instant;

/**
 * Leases on periodic jobs shared by all replicas, so a job that must run on one replica at a time
 * does: a replica runs it only while it holds the job's lease. A lease that runs out (its holder died
 * or stopped) can be taken by any replica.
 */
public interface JobLeases {

    /**
     * Takes or renews {@code job}'s lease for {@code holder} until {@code until}, if nobody else holds
     * it at {@code now}. Two holders never both get {@code true} for overlapping times.
     *
     * @return whether {@code holder} holds the lease now
     */
    boolean hold(String job, String holder, Instant now, Instant until);

    /** Gives up every lease {@code holder} holds, so another replica takes the jobs over at once. */
    void releaseAll(String holder);

    /** Gives up {@code job}'s lease if {@code holder} holds it. */
    void release(String job, String holder);
}
