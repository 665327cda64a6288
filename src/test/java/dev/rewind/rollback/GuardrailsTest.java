package dev.rewind.rollback;

import dev.rewind.assess.Tier;
import dev.rewind.config.ServiceConfig;
import dev.rewind.testing.RunBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The brakes on rolling back again, at and around each boundary. Defaults: 5 min cooldown, 3 attempts an hour, 30 min expiry. */
class GuardrailsTest {

    private static final Instant NOW = Instant.parse("2026-12-04T03:00:00Z");
    private static final ServiceConfig.Guardrails LIMITS = ServiceConfig.Guardrails.DEFAULT;

    @ParameterizedTest(name = "last ended {0}s ago, {1} run(s) in the window, {2} still running → {3}")
    @CsvSource(delimiter = '|', textBlock = """
            -   | 0 | 0 | go
            299 | 1 | 0 | cooldown
            0   | 1 | 0 | cooldown
            300 | 1 | 0 | go
            301 | 1 | 0 | go
            600 | 2 | 0 | go
            600 | 3 | 0 | attempts
            600 | 4 | 0 | attempts
            -   | 2 | 2 | go
            -   | 3 | 3 | attempts
            """)
    void stopsForTheCooldownAndTheAttemptLimit(String endedSecondsAgo, int runs, int running, String expected) {
        List<RollbackRun> recent = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            RunBuilder run = RunBuilder.aRun().id("rb-" + i).at(NOW.minus(Duration.ofMinutes(50)));
            boolean finished = i >= running;
            if (finished && !endedSecondsAgo.equals("-")) {
                // newest first: the first finished run is the last rollback
                run.finishedAt(NOW.minusSeconds(Long.parseLong(endedSecondsAgo) + (i - running) * 60L));
            }
            recent.add(run.build());
        }

        Optional<String> stop = Guardrails.stop("checkout", LIMITS, recent, NOW);

        switch (expected) {
            case "go" -> assertThat(stop).isEmpty();
            case "cooldown" -> assertThat(stop).hasValueSatisfying(why -> assertThat(why)
                    .contains("checkout was rolled back").contains("the cooldown is 5m").contains("or override it"));
            case "attempts" -> assertThat(stop).hasValueSatisfying(why -> assertThat(why)
                    .contains("times in the last 1h (limit 3)"));
            default -> throw new IllegalArgumentException(expected);
        }
    }

    @ParameterizedTest(name = "waiting {0}s → expired {1}")
    @CsvSource({"0, false", "1799, false", "1800, true", "1801, true", "86400, true"})
    void aRequestExpiresAfterItsServicesLimit(long waitingSeconds, boolean expired) {
        assertThat(Guardrails.expired(NOW.minusSeconds(waitingSeconds), LIMITS, NOW)).isEqualTo(expired);
    }

    @ParameterizedTest(name = "{0}/{1} approvals, allowed {2}, tier {3} → {4}")
    @CsvSource({
            "1, 2, true,  IMMEDIATE, true",
            "0, 2, true,  IMMEDIATE, false",
            "2, 2, true,  IMMEDIATE, false",
            "1, 2, false, IMMEDIATE, false",
            "1, 2, true,  FAST,      false",
            "1, 3, true,  IMMEDIATE, true",
            "1, 1, true,  IMMEDIATE, false"})
    void breakGlassOnlyShortOfTheCountOnImmediateWhenAllowed(int counted, int needed, boolean allowed, Tier tier,
                                                            boolean expected) {
        assertThat(Guardrails.breakGlass(counted, needed, allowed, tier)).isEqualTo(expected);
    }
}
