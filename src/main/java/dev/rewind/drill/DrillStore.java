package dev.rewind.drill;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where drills are kept; shared by every replica. */
public interface DrillStore {

    /** Stores a new drill. @return false when the service already has a drill for the same scheduled time */
    boolean insert(Drill drill);

    Optional<Drill> find(String id);

    /** The drill whose rollback or restore is {@code runId}. */
    Optional<Drill> byRun(String runId);

    /** The service's drill that has not ended, if any. */
    Optional<Drill> active(String service);

    /** Drills that have not ended, every service. */
    List<Drill> active();

    /** The newest drills (of one service, or all), newest first. */
    List<Drill> latest(Optional<String> service, int limit);

    /** The drill's rollback run, and the live revision it will restore. */
    void linkRun(String id, String runId, String fromRevision, String fromLabel);

    /** ROLLING_BACK → RESTORING with the restore's run. @return whether it was still rolling back */
    boolean restoring(String id, String restoreRunId);

    /** Ends a drill that has not ended. @return whether it had not */
    boolean end(String id, DrillState state, String report, Optional<Long> recovery, Instant at);
}
