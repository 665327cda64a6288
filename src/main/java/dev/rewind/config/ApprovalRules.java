package dev.rewind.config;

import java.util.List;

/**
 * Who may ask for and who may approve a rollback of one service.
 *
 * @param requesters   people or user groups that may request a rollback; empty means approvers only
 * @param approvers    people or user groups whose approval counts
 * @param approvals    distinct approvals needed before anything changes
 * @param selfApproval whether the requester's own approval counts towards {@code approvals}
 * @param breakGlass   whether an IMMEDIATE assessment may proceed on a single approval (audited as break-glass)
 * @param autoAllowed  whether an automatic-rollback policy may roll back without a person (else it only proposes)
 * @param viewers      people or user groups that may read the service's status, audit trail and assessments,
 *                     besides its requesters and approvers
 */
public record ApprovalRules(
        List<Principal> requesters,
        List<Principal> approvers,
        int approvals,
        boolean selfApproval,
        boolean breakGlass,
        boolean autoAllowed,
        List<Principal> viewers) {

    public ApprovalRules {
        requesters = List.copyOf(requesters);
        approvers = List.copyOf(approvers);
        viewers = List.copyOf(viewers);
    }

    /** Whether {@code userId} is named in person (no group look-up) among {@code principals}. */
    public static boolean namesInPerson(List<Principal> principals, String userId) {
        return principals.stream().anyMatch(p -> p instanceof Principal.Person && p.id().equals(userId));
    }

    /** Rules with no {@code viewers:}: only requesters and approvers may read. */
    public ApprovalRules(List<Principal> requesters, List<Principal> approvers, int approvals, boolean selfApproval,
                         boolean breakGlass, boolean autoAllowed) {
        this(requesters, approvers, approvals, selfApproval, breakGlass, autoAllowed, List.of());
    }
}
