package dev.rewind.adapter.gitrevert;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole of Rewind with a git revert in pull-request mode: the card says the change waits for the
 * merge instead of claiming traffic is back, and the run succeeds only once the pull request is merged.
 */
class GitRevertEndToEndIT {

    private GitHubWorld github;
    private RewindFixture rewind;

    @BeforeEach
    void start() throws Exception {
        github = new GitHubWorld();
        Map<String, String> files = new TreeMap<>(Map.of("apps/checkout/deployment.yaml", "image: shop/checkout:1.4.1"));
        github.commit("main", "checkout 1.4.1", files);
        files.put("apps/checkout/deployment.yaml", "image: shop/checkout:1.5.0");
        github.commit("main", "checkout 1.5.0", files);
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: git-revert, apiUrl: '" + github.url() + "', repo: org/gitops, path: apps/checkout,",
                "             mode: pull-request, tokenEnv: GITHUB_TOKEN}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 1s}",
                "")).env("GITHUB_TOKEN", GitHubWorld.TOKEN).withoutPrometheus().build();
    }

    @AfterEach
    void stop() {
        rewind.close();
        github.close();
    }

    @Test
    void aRevertPullRequestIsNotCalledLiveAndTheRunSucceedsOnceItIsMerged() {
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, rollBackValue(card.get("blocks")));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts))
                .contains("Change requested, not live yet").contains("waits for people"));
        assertThat(rewind.latestCardText(ts)).doesNotContain("traffic is on").doesNotContain("done");

        github.merge(1);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).contains("done"));
        String runId = ActionIds.runId(rollBackValue(card.get("blocks")));
        assertThat(rewind.get("/reports/" + runId + "?format=md").body()).contains("Traffic back on the old version")
                .contains("Change in effect");
    }

    private static String rollBackValue(String blocks) {
        return RewindFixture.buttonValue(blocks, ActionIds.ROLL_BACK);
    }
}
