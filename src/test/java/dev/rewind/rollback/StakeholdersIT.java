package dev.rewind.rollback;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.rewind.adapter.webhook.WebhookSignature;
import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stakeholders hear that a rollback started and how it ended: in their channel, threaded, and on a signed status webhook. */
class StakeholdersIT {

    private static final String SECRET = "status-page-secret";
    private static final String STATUS = "C0STATUS";
    private final WireMockServer statusPage = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
        statusPage.stop();
    }

    @Test
    void aRollbackIsAnnouncedWhenItStartsAndResolvedInTheSameThreadAndOnTheStatusWebhook() throws Exception {
        statusPage.start();
        statusPage.stubFor(post(urlEqualTo("/rewind")).willReturn(aResponse().withStatus(204)));
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                        "environments:",
                        "  production: {announce: " + STATUS + "}",
                        "services:",
                        "  - name: checkout",
                        "    channel: " + CHANNEL,
                        "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                        "    signals: {errorRate: 'errors'}",
                        "    approvers: [" + ALICE + "]",
                        "    verification: {checks: 1, interval: 0s}",
                        "    statusWebhook: {url: '" + statusPage.baseUrl() + "/rewind', secretEnv: STATUS_SECRET}",
                        ""))
                .env("STATUS_SECRET", SECRET).build();
        rewind.prometheus().returns("errors", 0.004).before(0.004);
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String value = RewindFixture.buttonValue(card.get("blocks"), ActionIds.ROLL_BACK);
        String runId = ActionIds.runId(value);

        rewind.signed().click(ALICE, CHANNEL, rewind.cards().get(0).ts(), ActionIds.ROLL_BACK, value);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(announcements()).hasSize(2));
        List<SlackStub.Post> said = announcements();
        assertThat(said.get(0).form().get("text")).isEqualTo("[ROLLING BACK] checkout (production): r3 → r2, requested by "
                + "<@U0ALICE> · run " + runId);
        assertThat(said.get(0).form()).doesNotContainKey("thread_ts");
        assertThat(said.get(1).form().get("thread_ts")).as("the end replies under the start").isEqualTo(said.get(0).ts());
        assertThat(said.get(1).form().get("text")).startsWith("[RESOLVED] checkout rolled back to r2 in ")
                .contains("(succeeded)").contains(" · report https://rewind.example.com/reports/" + runId);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> statusPage.verify(2, postRequestedFor(urlEqualTo("/rewind"))));
        List<LoggedRequest> hooks = statusPage.findAll(postRequestedFor(urlEqualTo("/rewind")));
        JsonMapper json = JsonMapper.builder().build();
        JsonNode started = json.readTree(hooks.get(0).getBodyAsString());
        JsonNode ended = json.readTree(hooks.get(1).getBodyAsString());
        assertThat(started.path("event").asString()).isEqualTo("started");
        assertThat(started.path("from").asString() + " → " + started.path("to").asString()).isEqualTo("r3 → r2");
        assertThat(ended.path("event").asString()).isEqualTo("ended");
        assertThat(ended.path("state").asString()).isEqualTo("SUCCEEDED");
        for (LoggedRequest hook : hooks) {
            long timestamp = Long.parseLong(hook.getHeader(WebhookSignature.TIMESTAMP_HEADER));
            assertThat(hook.getHeader(WebhookSignature.RUN_HEADER)).isEqualTo(runId);
            assertThat(hook.getHeader(WebhookSignature.HEADER)).as("signed like the webhook adapter's requests")
                    .isEqualTo(WebhookSignature.sign(SECRET, timestamp, runId, hook.getBody()));
        }
    }

    @Test
    void aDryRunTellsNobodyOutsideTheCard() throws IOException {
        String catalogue = RewindFixture.CATALOGUE.replace("    approvals: 1\n", "    approvals: 1\n    announce: " + STATUS + "\n");
        assertThat(catalogue).as("checkout announces to " + STATUS).contains("announce: " + STATUS);
        rewind = RewindFixture.builder().catalogue(catalogue).build();
        rewind.prometheus().returns("errors", 0.004).before(0.004);
        Map<String, String> card = rewind.cardFor(ALICE, "checkout --dry-run");
        String ts = rewind.cards().get(0).ts();

        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, RewindFixture.buttonValue(card.get("blocks"), ActionIds.ROLL_BACK));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).contains("Dry run"));
        assertThat(announcements()).isEmpty();
    }

    private List<SlackStub.Post> announcements() {
        return rewind.slack().postedWithTs().stream().filter(p -> STATUS.equals(p.form().get("channel"))).toList();
    }
}
