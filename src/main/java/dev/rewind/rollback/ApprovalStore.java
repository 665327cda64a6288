package dev.rewind.rollback;

import java.util.List;

/**
 * Who approved which run: one approval per person and run.
 */
public interface ApprovalStore {

    /** @return false when this user has already approved this run */
    boolean addApproval(Approval approval);

    List<Approval> approvals(String runId);

    /** Marks an existing approval as the one that broke the glass. */
    void markBreakGlass(String runId, String userId);
}
