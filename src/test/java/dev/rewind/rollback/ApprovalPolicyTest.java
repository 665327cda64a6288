package dev.rewind.rollback;

import dev.rewind.assess.Tier;
import dev.rewind.config.ApprovalRules;
import dev.rewind.config.Principal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ApprovalPolicyTest {

    private final ApprovalPolicy policy = new ApprovalPolicy((user, group) -> group.equals("S0SRE") && user.equals("U0BOB"));

    @ParameterizedTest(name = "{0} may request: {1}, may approve: {2}")
    @CsvSource({
            "U0ALICE, true, true",
            "U0BOB, true, true",
            "U0DEV, true, false",
            "U0MALLORY, false, false"})
    void whoMayAskAndWhoMayApprove(String user, boolean mayRequest, boolean mayApprove) {
        ApprovalRules rules = new ApprovalRules(people("U0DEV"), people("U0ALICE", "S0SRE"), 1, true, false, true);
        assertThat(policy.mayRequest(user, rules)).isEqualTo(mayRequest);
        assertThat(policy.mayApprove(user, rules)).isEqualTo(mayApprove);
    }

    @ParameterizedTest(name = "need {0}, self {1}, approvers {2}, tier {3} → enough {4}, break-glass {5}")
    @CsvSource({
            "1, true,  U0ALICE,        MONITOR,   true,  false",
            "2, true,  U0ALICE,        MONITOR,   false, false",
            "2, true,  U0ALICE;U0BOB,  MONITOR,   true,  false",
            "2, false, U0ALICE;U0BOB,  MONITOR,   false, false",
            "2, false, U0BOB;U0CAROL,  MONITOR,   true,  false",
            "2, true,  U0ALICE,        IMMEDIATE, false, true",
            "2, false, U0ALICE,        IMMEDIATE, false, false"})
    void approvalsCountedAgainstTheRule(int need, boolean self, String approvers, Tier tier, boolean enough, boolean glass) {
        ApprovalRules rules = new ApprovalRules(List.of(), people("U0ALICE", "S0SRE", "U0CAROL"), need, self, true, true);
        List<Approval> approvals = Arrays.stream(approvers.split(";"))
                .map(user -> new Approval("rb-1", user, Instant.EPOCH, false)).toList();
        ApprovalPolicy.Standing standing = policy.standing(approvals, Optional.of("U0ALICE"), rules, tier);
        assertThat(standing.enough()).isEqualTo(enough);
        assertThat(standing.breakGlassAllowed()).isEqualTo(glass);
    }

    @ParameterizedTest(name = "{0} for a run asked by U0CAROL: {1}")
    @CsvSource({
            "U0ALICE,   APPROVER",
            "U0BOB,     APPROVER",
            "U0DEV,     REQUESTER",
            "U0SUPPORT, VIEWER",
            "U0CAROL,   RUN_REQUESTER",
            "U0MALLORY, ''"})
    void rolesComeFromTheListsTheirGroupsAndTheRun(String user, String role) {
        ApprovalRules rules = new ApprovalRules(people("U0DEV"), people("U0ALICE", "S0SRE"), 1, true, false, true,
                people("U0SUPPORT"));
        assertThat(policy.roles(user, rules, Optional.of("U0CAROL")))
                .containsExactlyElementsOf(role.isEmpty() ? List.of() : List.of(Permissions.Role.valueOf(role)));
    }

    @Test
    void aRefusalNamesEveryoneWhoMay() {
        ApprovalRules rules = new ApprovalRules(List.of(), people("S0SRE", "U0ALICE"), 1, true, false, true);
        assertThat(ApprovalPolicy.whoMay(Permissions.Action.DISMISS, RunState.AWAITING_APPROVAL, "checkout", rules,
                Optional.of("U0BOB"))).isEqualTo("Only approvers of checkout (@{S0SRE}, @{U0ALICE}) or the requester "
                + "@{U0BOB} may dismiss this request.");
        ApprovalRules withOthers = new ApprovalRules(people("U0DEV"), people("U0ALICE"), 1, true, false, true,
                people("S0ENG"));
        assertThat(ApprovalPolicy.whoMay(Permissions.Action.READ, RunState.ASSESSED, "checkout", withOthers,
                Optional.empty())).isEqualTo("Only approvers of checkout (@{U0ALICE}), its requesters (@{U0DEV}) or its "
                + "viewers (@{S0ENG}) may read the status, audit trail and assessments of checkout.");
        assertThat(ApprovalPolicy.whoMay(Permissions.Action.CANCEL_AUTO, RunState.ASSESSED, "checkout", rules,
                Optional.empty())).isEqualTo("Only approvers of checkout (@{S0SRE}, @{U0ALICE}) may cancel this "
                + "automatic rollback.");
    }

    @Test
    void withoutARequestersListOnlyApproversMayAsk() {
        ApprovalRules rules = new ApprovalRules(List.of(), people("U0ALICE"), 1, true, false, true);
        assertThat(policy.mayRequest("U0DEV", rules)).isFalse();
    }

    private static List<Principal> people(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> Principal.parse(id, "test")).toList();
    }
}
