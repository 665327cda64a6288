package dev.rewind.rollback;

import java.time.Instant;

/**
 * Which deploys an automatic policy already rolled back: a policy never rolls back the same deploy twice.
 */
public interface PolicyLedger {

    /** Records that a policy rolled back this deploy; @return false when it already did once. */
    boolean recordPolicyApplication(String service, String revision, String runId, Instant at);

    boolean policyApplied(String service, String revision);
}
