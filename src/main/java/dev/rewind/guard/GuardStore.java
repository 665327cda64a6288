package dev.rewind.guard;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where deploy guards are kept; shared by every replica. */
public interface GuardStore {

    /**
     * Stores {@code guard} unless the service already has one for the same revision.
     *
     * @return the stored guard: {@code guard} itself, or the one that was there
     */
    DeployGuard insertOnce(DeployGuard guard);

    Optional<DeployGuard> find(String id);

    /** Guards still watching whose next evaluation is due at {@code now}, soonest first, at most {@code limit}. */
    List<DeployGuard> due(Instant now, int limit);

    /** The newest guards of {@code service}, newest first, at most {@code limit}. */
    List<DeployGuard> latest(String service, int limit);

    /** Guards of {@code service} still watching. */
    List<DeployGuard> watching(String service);

    /** How many guards are watching. */
    int watchingCount();

    /**
     * Records one evaluation, only if nobody recorded it first (the guard still has {@code checksBefore} checks and is
     * watching). @return whether it was recorded
     */
    boolean checked(String id, int checksBefore, Instant nextCheckAt, Map<String, RuleProgress> rules, boolean judged);

    /** Ends a watching guard. @return whether it was still watching */
    boolean end(String id, GuardStatus status, Optional<String> runId, Optional<String> trigger, Instant at);

    /** A pipeline's details added to a guard the informer started for the same deploy. */
    void describe(String id, Optional<String> by, Optional<String> url);
}
