package dev.rewind.rollback;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RunStateTest {

    @ParameterizedTest(name = "{0} → {1}: {2}")
    @CsvSource({
            "ASSESSED, AWAITING_APPROVAL, true",
            "ASSESSED, ABORTED, true",
            "ASSESSED, EXECUTING, false",
            "AWAITING_APPROVAL, APPROVED, true",
            "AWAITING_APPROVAL, EXECUTING, false",
            "APPROVED, EXECUTING, true",
            "APPROVED, ABORTED, true",
            "EXECUTING, VERIFYING, true",
            "EXECUTING, SUCCEEDED, false",
            "EXECUTING, FAILED, true",
            "VERIFYING, SUCCEEDED, true",
            "VERIFYING, INTERRUPTED, true",
            "SUCCEEDED, FAILED, false",
            "FAILED, EXECUTING, false",
            "ABORTED, ASSESSED, false"})
    void onlyListedTransitionsArePossible(RunState from, RunState to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
    }

    @Test
    void finalStatesHoldNothing() {
        for (RunState state : RunState.values()) {
            if (state.isFinal()) {
                assertThat(state.holdsTarget()).isFalse();
            }
        }
        assertThat(RunState.holding()).containsExactlyInAnyOrder(RunState.AWAITING_APPROVAL, RunState.APPROVED,
                RunState.EXECUTING, RunState.VERIFYING);
    }
}
