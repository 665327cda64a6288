package dev.rewind.rollback;

import dev.rewind.rollback.Deadlines.Step;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What is due on an undecided card, minute by minute: the playbooks' 60% reminder and deadline escalation. */
class DeadlinesTest {

    private static final Instant OPENED = Instant.parse("2026-12-05T03:00:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "59% of FAST's 30 min: nothing yet              | 30  | 1062 | -                    | -",
            "60% of FAST's 30 min: the reminder             | 30  | 1080 | -                    | REMINDER",
            "the reminder goes once                         | 30  | 1500 | REMINDER             | -",
            "at the deadline: the escalation                | 30  | 1800 | REMINDER             | ESCALATION",
            "past the deadline without a reminder: escalate | 30  | 4000 | -                    | ESCALATION",
            "the escalation goes once                       | 30  | 9000 | REMINDER,ESCALATION  | -",
            "IMMEDIATE's 5 min: reminder at 3 min           | 5   | 180  | -                    | REMINDER",
            "a tier with no deadline (MONITOR): never       | 0   | 9000 | -                    | -"})
    void dueSteps(String situation, int deadlineMinutes, int secondsOpen, String sent, String expected) {
        Optional<Duration> deadline = deadlineMinutes == 0 ? Optional.empty() : Optional.of(Duration.ofMinutes(deadlineMinutes));
        Set<Step> already = EnumSet.noneOf(Step.class);
        if (!sent.equals("-")) {
            for (String step : sent.split(",")) {
                already.add(Step.valueOf(step));
            }
        }

        Optional<Step> due = Deadlines.due(OPENED, deadline, OPENED.plusSeconds(secondsOpen), already);

        assertThat(due).as(situation).isEqualTo(expected.equals("-") ? Optional.empty() : Optional.of(Step.valueOf(expected)));
    }

    @ParameterizedTest(name = "re-assessed from {0} to {1} after 10 min: {2}")
    @CsvSource({"FAST, IMMEDIATE, ESCALATION", "IMMEDIATE, FAST, -"})
    void aTierChangeMovesTheDeadline(String before, String after, String expected) {
        Duration now = Duration.ofMinutes(after.equals("IMMEDIATE") ? 5 : 30);

        Optional<Step> due = Deadlines.due(OPENED, Optional.of(now), OPENED.plus(Duration.ofMinutes(10)),
                EnumSet.of(Step.REMINDER));

        assertThat(due).isEqualTo(expected.equals("-") ? Optional.empty() : Optional.of(Step.valueOf(expected)));
    }
}
