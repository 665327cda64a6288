package dev.rewind.adapter.argocd;

import dev.rewind.testing.FakeArgoCd;
import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static dev.rewind.testing.RewindFixture.MALLORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole of Rewind with an Argo CD application: after the rollback the card offers to restore
 * automated sync; it is refused to non-approvers and while git still points at the bad revision, and
 * done as it was once git has moved on.
 */
class ArgoCdEndToEndIT {

    private static final String GOOD = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    private static final String BAD = "bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0";

    private FakeArgoCd argo;
    private RewindFixture rewind;

    @BeforeEach
    void start() throws Exception {
        argo = new FakeArgoCd();
        argo.app("shop", GOOD, BAD);
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: shop",
                "    channel: " + CHANNEL,
                "    target: {type: argocd, url: '" + argo.url() + "', application: shop, tokenEnv: ARGOCD_TOKEN, restoreAutoSync: true}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s}",
                "")).env("ARGOCD_TOKEN", FakeArgoCd.TOKEN).withoutPrometheus().build();
    }

    @AfterEach
    void stop() {
        rewind.close();
        argo.close();
    }

    @Test
    void automatedSyncIsRestoredFromTheCardOnlyByAnApproverAndOnlyOnceGitRendersWhatRuns() {
        Map<String, String> card = rewind.cardFor(ALICE, "shop");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, buttonValue(card.get("blocks"), ActionIds.ROLL_BACK));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains("done").contains("Follow-ups").contains("automated sync is off (was on, self-heal, prune)"));
        assertThat(argo.get("shop").automated).isNull();
        String followUp = buttonValue(latestBlocks(ts), ActionIds.FOLLOW_UP + ".0");

        rewind.signed().click(MALLORY, CHANNEL, ts, ActionIds.FOLLOW_UP + ".0", followUp);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts())
                .as("private answers").anyMatch(t -> t.contains("You may not restore automated sync")));

        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.FOLLOW_UP + ".0", followUp);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts())
                .as("private answers").anyMatch(t -> t.contains("git still points at bad0bad")));
        assertThat(argo.get("shop").automated).isNull();

        rewind.signed().command(ALICE, CHANNEL, "shop status");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts())
                .as("private answers").anyMatch(t -> t.contains("Follow-up open (\"Restore automated sync\"")));

        argo.get("shop").gitHead = GOOD;
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.FOLLOW_UP + ".0", followUp);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains("Restore automated sync by").contains("is on again"));
        assertThat(argo.get("shop").automated).containsEntry("selfHeal", true);
        assertThat(latestBlocks(ts)).doesNotContain(ActionIds.FOLLOW_UP);
        String runId = ActionIds.runId(buttonValue(card.get("blocks"), ActionIds.ROLL_BACK));
        assertThat(rewind.get("/reports/" + runId + "?format=md").body()).contains("Restore automated sync by");
        rewind.signed().command(ALICE, CHANNEL, "audit shop");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts())
                .as("private answers").anyMatch(t -> t.contains("follow-up done") && t.contains("follow-up refused")));
    }

    private String latestBlocks(String ts) {
        return rewind.slack().updates().stream().filter(u -> ts.equals(u.get("ts"))).reduce((a, b) -> b)
                .map(u -> u.get("blocks")).orElse("");
    }

    private static String buttonValue(String blocks, String actionId) {
        return RewindFixture.buttonValue(blocks, actionId);
    }
}
