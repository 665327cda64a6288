package dev.rewind.rollback;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After "Recovered", the service is watched: a relapse is said on the recovered card and in its room with the
 * on-call mentioned, and a new card is opened; a quiet hour ends with "stable". The watch survives a restart.
 */
class RecoveryWatchIT {

    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private String recover() throws IOException {
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    oncall: S0ONCALL",
                "    verification: {checks: 2, interval: 0s, watch: 1h}",
                "")).build();
        rewind.prometheus().returns("errors", 0.004).before(0.004);
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.cards().get(0).ts();
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, RewindFixture.buttonValue(card.get("blocks"), ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).contains("Rolled back to r2")
                .contains("done"));
        return ts;
    }

    @Test
    void aRelapseDuringTheWatchIsSaidWithTheOnCallAndANewCardOpensEvenAfterARestart() throws IOException {
        String ts = recover();
        rewind.restart();

        rewind.prometheus().returns("errors", 0.09).before(0.004);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.cards()).as("a new card to act again")
                .hasSize(2));
        String next = SlackStub.readable(rewind.cards().get(1).form());
        assertThat(next).contains("relapsed").contains("error rate still 9.0% (ceiling 1.0%, baseline 0.4%)")
                .contains("Previous card of checkout");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .as("the recovered run's incident room hears it, with the on-call")
                .anyMatch(p -> p.getOrDefault("text", "").contains("Relapsed") && p.get("text").contains("<!subteam^S0ONCALL>")));
        String runId = RewindFixture.buttonValue(rewind.cards().get(0).form().get("blocks"), ActionIds.ROLL_BACK).split("\\|")[0];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.get("/reports/" + runId + "?format=md").body())
                .as("the recovered run's report is updated").contains("Relapsed").contains("error rate still 9.0%"));
    }

    @Test
    void aQuietWatchEndsSayingStable() throws IOException {
        String ts = recover();

        rewind.clock().advance(Duration.ofMinutes(61));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .anyMatch(p -> p.getOrDefault("text", "").contains("Watched 1h after recovery: stable")));
        assertThat(rewind.cards()).as("no new card").hasSize(1);
    }
}
