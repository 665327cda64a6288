package dev.rewind.rollback;

import dev.rewind.rollback.RecoveryJudge.Judgement;
import dev.rewind.rollback.RecoveryJudge.SignalNow;
import dev.rewind.rollback.RecoveryJudge.Verdict;
import dev.rewind.signals.ProbeAnswer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** One verification check, judged on its numbers and probe answers: the playbooks' rule as a table. */
class RecoveryJudgeTest {

    private static final ProbeAnswer LOGIN_OK = new ProbeAnswer("login", true, "login 200 in 84 ms");
    private static final ProbeAnswer LOGIN_DOWN = new ProbeAnswer("login", false, "login 500 in 12 ms (expected 200)");

    static Stream<Arguments> checks() {
        return Stream.of(
                Arguments.of("recovered: under the 1% ceiling", List.of(SignalNow.of("errorRate", 0.004, Optional.of(0.003)),
                        SignalNow.of("latencyP99", 0.25, Optional.of(0.2))), List.of(LOGIN_OK),
                        Verdict.PASS, "error rate 0.4%; p99 latency 250 ms; login 200 in 84 ms"),
                Arguments.of("recovered: above 1% but back near its own baseline", List.of(
                        SignalNow.of("errorRate", 0.03, Optional.of(0.025))), List.of(), Verdict.PASS, "error rate 3.0%"),
                Arguments.of("still failing: above the ceiling and far from the baseline", List.of(
                        SignalNow.of("errorRate", 0.18, Optional.of(0.004))), List.of(), Verdict.FAIL,
                        "error rate still 18.0% (ceiling 1.0%, baseline 0.4%)"),
                Arguments.of("still failing without a baseline to excuse it", List.of(
                        SignalNow.of("errorRate", 0.02, Optional.empty())), List.of(), Verdict.FAIL,
                        "error rate still 2.0% (ceiling 1.0%)"),
                Arguments.of("latency still 3× its baseline", List.of(SignalNow.of("errorRate", 0.001, Optional.empty()),
                        SignalNow.of("latencyP99", 0.9, Optional.of(0.3))), List.of(), Verdict.FAIL,
                        "p99 latency still 900 ms (baseline 300 ms)"),
                Arguments.of("good numbers, a probe failing", List.of(SignalNow.of("errorRate", 0.001, Optional.empty())),
                        List.of(LOGIN_DOWN), Verdict.FAIL, "login 500 in 12 ms (expected 200)"),
                Arguments.of("probe only, answering", List.of(), List.of(LOGIN_OK), Verdict.PASS, "login 200 in 84 ms"),
                Arguments.of("no numbers", List.of(SignalNow.unreadable("errorRate", "Prometheus timed out")), List.of(),
                        Verdict.NO_NUMBERS, "error rate could not be read (Prometheus timed out)"),
                Arguments.of("no numbers, but a probe failing is a failure", List.of(SignalNow.unreadable("errorRate", "down")),
                        List.of(LOGIN_DOWN), Verdict.FAIL, "login 500 in 12 ms (expected 200)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checks")
    void judgesOneCheck(String situation, List<SignalNow> signals, List<ProbeAnswer> probes, Verdict verdict, String detail) {
        Judgement judgement = RecoveryJudge.judge(signals, probes, 0.01, 1.5);

        assertThat(judgement.verdict()).as(situation).isEqualTo(verdict);
        assertThat(judgement.detail()).as(situation).isEqualTo(detail);
    }
}
