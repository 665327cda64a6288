package dev.rewind.rollback;

import dev.rewind.rollback.Permissions.Action;
import dev.rewind.rollback.Permissions.Role;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may do what: every action × every role, in the states where it matters. */
class PermissionsTest {

    @ParameterizedTest(name = "{0} on a {1} run: approver {2}, listed requester {3}, viewer {4}, this run's requester {5}")
    @CsvSource({
            // action,      state,             approver, requester, viewer, run requester
            "ROLL_BACK,     ASSESSED,          true,     true,      false,  false",
            "RETRY,         FAILED,            true,     true,      false,  false",
            "OVERRIDE,      ASSESSED,          true,     false,     false,  false",
            "APPROVE,       AWAITING_APPROVAL, true,     false,     false,  false",
            "BREAK_GLASS,   AWAITING_APPROVAL, true,     false,     false,  false",
            "FOLLOW_UP,     SUCCEEDED,         true,     false,     false,  false",
            "DISMISS,       ASSESSED,          true,     true,      false,  true",
            "DISMISS,       AWAITING_APPROVAL, true,     false,     false,  true",
            "MONITOR,       ASSESSED,          true,     true,      false,  true",
            "PICK_REVISION, ASSESSED,          true,     true,      false,  true",
            "CANCEL_AUTO,   ASSESSED,          true,     true,      false,  true",
            "READ,          ASSESSED,          true,     true,      true,   false"})
    void eachRoleAloneMayOrMayNot(Action action, RunState state, boolean approver, boolean requester, boolean viewer,
                                  boolean runRequester) {
        assertThat(Permissions.allows(action, Set.of(Role.APPROVER), state)).as("approver").isEqualTo(approver);
        assertThat(Permissions.allows(action, Set.of(Role.REQUESTER), state)).as("listed requester").isEqualTo(requester);
        assertThat(Permissions.allows(action, Set.of(Role.VIEWER), state)).as("viewer").isEqualTo(viewer);
        assertThat(Permissions.allows(action, Set.of(Role.RUN_REQUESTER), state)).as("this run's requester")
                .isEqualTo(runRequester);
    }

    @ParameterizedTest
    @EnumSource(Action.class)
    void someoneWithNoRoleMayDoNothing(Action action) {
        for (RunState state : RunState.values()) {
            assertThat(Permissions.allows(action, EnumSet.noneOf(Role.class), state)).as(action + " in " + state).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Action.class)
    void anApproverMayDoEverything(Action action) {
        for (RunState state : RunState.values()) {
            assertThat(Permissions.allows(action, Set.of(Role.APPROVER), state)).as(action + " in " + state).isTrue();
        }
    }
}
