package dev.rewind.rollback;

import dev.rewind.assess.Tier;
import dev.rewind.config.ApprovalRules;

import java.util.List;
import java.util.Optional;

/**
 * Who may ask for and approve a rollback, and when approvals are enough. Pure apart from the group
 * look-ups it delegates to {@link UserDirectory}.
 */
public final class ApprovalPolicy {

    private final UserDirectory directory;

    public ApprovalPolicy(UserDirectory directory) {
        this.directory = directory;
    }

    /** Listed directly, or a member of a listed user group ({@code S…}). */
    public boolean isListed(String userId, List<String> ids) {
        if (ids.contains(userId)) {
            return true;
        }
        return ids.stream().filter(ApprovalPolicy::isGroup).anyMatch(group -> directory.isMember(userId, group));
    }

    public boolean mayApprove(String userId, ApprovalRules rules) {
        return isListed(userId, rules.approvers());
    }

    /** Without a {@code requesters:} list only approvers may ask, so nobody outside it can start a change. */
    public boolean mayRequest(String userId, ApprovalRules rules) {
        return mayApprove(userId, rules) || isListed(userId, rules.requesters());
    }

    /** Whether this user's approval counts towards the total for a run {@code requester} asked for. */
    public boolean counts(String userId, Optional<String> requester, ApprovalRules rules) {
        return mayApprove(userId, rules) && (rules.selfApproval() || requester.map(r -> !r.equals(userId)).orElse(true));
    }

    public Standing standing(List<Approval> approvals, Optional<String> requester, ApprovalRules rules, Tier tier) {
        long counted = approvals.stream().filter(a -> counts(a.userId(), requester, rules)).count();
        boolean enough = counted >= rules.approvals();
        boolean breakGlassAllowed = !enough && counted >= 1 && rules.breakGlass() && tier == Tier.IMMEDIATE;
        return new Standing((int) counted, rules.approvals(), enough, breakGlassAllowed);
    }

    static boolean isGroup(String id) {
        return id.startsWith("S");
    }

    /**
     * Where a run's approvals stand.
     *
     * @param breakGlassAllowed an approver may proceed now, short of the count, because the tier is IMMEDIATE
     */
    public record Standing(int have, int need, boolean enough, boolean breakGlassAllowed) {
        public int missing() {
            return Math.max(0, need - have);
        }
    }
}
