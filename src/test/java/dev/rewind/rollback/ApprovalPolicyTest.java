package dev.rewind.rollback;

import dev.rewind.assess.Tier;
import dev.rewind.config.ApprovalRules;
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
        ApprovalRules rules = new ApprovalRules(List.of("U0DEV"), List.of("U0ALICE", "S0SRE"), 1, true, false, true);
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
        ApprovalRules rules = new ApprovalRules(List.of(), List.of("U0ALICE", "S0SRE", "U0CAROL"), need, self, true, true);
        List<Approval> approvals = Arrays.stream(approvers.split(";"))
                .map(user -> new Approval("rb-1", user, Instant.EPOCH, false)).toList();
        ApprovalPolicy.Standing standing = policy.standing(approvals, Optional.of("U0ALICE"), rules, tier);
        assertThat(standing.enough()).isEqualTo(enough);
        assertThat(standing.breakGlassAllowed()).isEqualTo(glass);
    }

    @Test
    void withoutARequestersListOnlyApproversMayAsk() {
        ApprovalRules rules = new ApprovalRules(List.of(), List.of("U0ALICE"), 1, true, false, true);
        assertThat(policy.mayRequest("U0DEV", rules)).isFalse();
    }
}
