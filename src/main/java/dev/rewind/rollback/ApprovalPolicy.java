package dev.rewind.rollback;

import dev.rewind.config.Principal;
import dev.rewind.assess.Tier;
import dev.rewind.config.ApprovalRules;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may ask for and approve a rollback, and when approvals are enough. Pure apart from the group
 * look-ups it delegates to {@link UserDirectory}.
 */
public final class ApprovalPolicy {

    private final UserDirectory directory;

    public ApprovalPolicy(UserDirectory directory) {
        this.directory = directory;
    }

    /** Listed in person, or a member of a listed user group (looked up only when needed). */
    public boolean isListed(String userId, List<Principal> listed) {
        if (ApprovalRules.namesInPerson(listed, userId)) {
            return true;
        }
        return listed.stream().filter(Principal.Group.class::isInstance)
                .anyMatch(group -> directory.isMember(userId, group.id()));
    }

    /** Whether the user's own id is listed among those who may read the service: known without any look-up. */
    public boolean readerByName(String userId, ApprovalRules rules) {
        return ApprovalRules.namesInPerson(rules.approvers(), userId) || ApprovalRules.namesInPerson(rules.requesters(), userId)
                || ApprovalRules.namesInPerson(rules.viewers(), userId);
    }

    public boolean mayApprove(String userId, ApprovalRules rules) {
        return isListed(userId, rules.approvers());
    }

    /** Without a {@code requesters:} list only approvers may ask, so nobody outside it can start a change. */
    public boolean mayRequest(String userId, ApprovalRules rules) {
        return mayApprove(userId, rules) || isListed(userId, rules.requesters());
    }

    /**
     * The roles {@code userId} holds towards a service with these rules and, when given, towards one of
     * its runs asked for by {@code runRequester}. Group look-ups happen only as far as needed.
     */
    public Set<Permissions.Role> roles(String userId, ApprovalRules rules, Optional<String> runRequester) {
        Set<Permissions.Role> roles = EnumSet.noneOf(Permissions.Role.class);
        if (runRequester.filter(userId::equals).isPresent()) {
            roles.add(Permissions.Role.RUN_REQUESTER);
        }
        if (isListed(userId, rules.approvers())) {
            roles.add(Permissions.Role.APPROVER);
        }
        if (isListed(userId, rules.requesters())) {
            roles.add(Permissions.Role.REQUESTER);
        }
        if (isListed(userId, rules.viewers())) {
            roles.add(Permissions.Role.VIEWER);
        }
        return roles;
    }

    /**
     * Who may do {@code action}, as a sentence with mention tokens: "Only approvers of checkout
     * (@{S0SRE}, @{U0ALICE}) or the requester @{U0BOB} may dismiss this request."
     */
    public static String whoMay(Permissions.Action action, RunState state, String service, ApprovalRules rules,
                                Optional<String> runRequester) {
        Set<Permissions.Role> allowed = Permissions.allowed(action, state);
        List<String> parts = new ArrayList<>();
        if (allowed.contains(Permissions.Role.APPROVER)) {
            parts.add("approvers of " + service + " (" + tokens(rules.approvers()) + ")");
        }
        if (allowed.contains(Permissions.Role.REQUESTER) && !rules.requesters().isEmpty()) {
            parts.add("its requesters (" + tokens(rules.requesters()) + ")");
        }
        if (allowed.contains(Permissions.Role.VIEWER) && !rules.viewers().isEmpty()) {
            parts.add("its viewers (" + tokens(rules.viewers()) + ")");
        }
        if (allowed.contains(Permissions.Role.RUN_REQUESTER) && runRequester.isPresent()) {
            parts.add("the requester " + Mentions.token(runRequester.get()));
        }
        String who = parts.size() == 1 ? parts.get(0)
                : String.join(", ", parts.subList(0, parts.size() - 1)) + " or " + parts.get(parts.size() - 1);
        return "Only " + who + " may " + doing(action, state, service) + ".";
    }

    private static String doing(Permissions.Action action, RunState state, String service) {
        return switch (action) {
            case DISMISS -> state == RunState.AWAITING_APPROVAL ? "dismiss this request" : "dismiss this card";
            case MONITOR -> "ask for a later re-assessment";
            case PICK_REVISION -> "choose the revision on this card";
            case CANCEL_AUTO -> "cancel this automatic rollback";
            case RETRY -> "retry this rollback";
            case APPROVE, BREAK_GLASS -> "approve this rollback";
            default -> action.phrase() + " " + service;
        };
    }

    private static String tokens(List<Principal> listed) {
        return listed.isEmpty() ? "none listed in rewind.yml"
                : String.join(", ", listed.stream().map(p -> Mentions.token(p.id())).toList());
    }

    /** Whether this user's approval counts towards the total for a run {@code requester} asked for. */
    public boolean counts(String userId, Optional<String> requester, ApprovalRules rules) {
        return mayApprove(userId, rules) && (rules.selfApproval() || requester.map(r -> !r.equals(userId)).orElse(true));
    }

    public Standing standing(List<Approval> approvals, Optional<String> requester, ApprovalRules rules, Tier tier) {
        long counted = approvals.stream().filter(a -> counts(a.userId(), requester, rules)).count();
        boolean enough = counted >= rules.approvals();
        boolean breakGlassAllowed = Guardrails.breakGlass((int) counted, rules.approvals(), rules.breakGlass(), tier);
        return new Standing((int) counted, rules.approvals(), enough, breakGlassAllowed);
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
