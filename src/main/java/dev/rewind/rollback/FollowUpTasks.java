package dev.rewind.rollback;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where follow-up tasks are kept. */
public interface FollowUpTasks {

    /** Keeps a task; a task with the same id (the step executed again after a crash) is left as it is. */
    void add(FollowUpTask task);

    Optional<FollowUpTask> find(String id);

    /** A run's tasks in step order. */
    List<FollowUpTask> forRun(String runId);

    /** For each of these targets, its newest task not done yet (a later rollback's supersedes an earlier one's). */
    List<FollowUpTask> newestPending(java.util.Collection<String> targetKeys);

    /**
     * Takes a pending task for {@code userId}; false when it is done or someone else took it after
     * {@code staleBefore} (an older claim is from a process that died mid-call and is taken over).
     */
    boolean claim(String id, String userId, Instant at, Instant staleBefore);

    /** Gives a claimed task back after an attempt that did not finish it. */
    void release(String id, String userId);

    void complete(String id, String userId, Instant at, String result);
}
