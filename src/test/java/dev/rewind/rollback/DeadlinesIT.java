package dev.rewind.rollback;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A FAST card nobody decides on: a reminder in its thread at 60% of the 30-minute deadline, mentioning the
 * approvers; at the deadline the on-call group and a PagerDuty trigger (Events API v2), resolved when the card is
 * dismissed. Each once.
 */
class DeadlinesIT {

    private static final String ROUTING_KEY = "pd-routing-key-0123456789";
    private final WireMockServer pagerDuty = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
        pagerDuty.stop();
    }

    @Test
    void anUndecidedCardIsRemindedThenEscalatedOnceAndThePageIsResolvedWhenItCloses() throws IOException {
        pagerDuty.start();
        pagerDuty.stubFor(post(urlEqualTo("/v2/enqueue")).willReturn(aResponse().withStatus(202)
                .withBody("{\"status\":\"success\",\"message\":\"Event processed\"}")));
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                        "services:",
                        "  - name: checkout",
                        "    channel: " + CHANNEL,
                        "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                        "    signals: {errorRate: 'errors'}",
                        "    approvers: [" + ALICE + "]",
                        "    oncall: S0ONCALL",
                        "    escalation: {pagerduty: {routingKeyEnv: PD_KEY}}",
                        ""))
                .env("PD_KEY", ROUTING_KEY).env("PAGERDUTY_EVENTS_URL", pagerDuty.baseUrl() + "/v2/enqueue").build();
        rewind.prometheus().returns("errors", 0.2).before(0.004);
        rewind.cardFor(ALICE, "checkout");
        String ts = rewind.cards().get(0).ts();
        String runId = ActionIds.runId(RewindFixture.buttonValue(rewind.cards().get(0).form().get("blocks"), ActionIds.ROLL_BACK));

        rewind.clock().advance(Duration.ofMinutes(18).plusSeconds(5));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(replies(ts)).as("replies under the card")
                .anyMatch(t -> t.contains("checkout has waited 18m") && t.contains("FAST deadline 30m") && t.contains("<@U0ALICE>")));
        pagerDuty.verify(0, postRequestedFor(urlEqualTo("/v2/enqueue")));

        rewind.clock().advance(Duration.ofMinutes(12));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(replies(ts))
                .anyMatch(t -> t.contains("past its decision deadline") && t.contains("<!subteam^S0ONCALL>")
                        && t.contains("PagerDuty paged")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> pagerDuty.verify(1, postRequestedFor(urlEqualTo("/v2/enqueue"))
                .withRequestBody(equalToJson("{\"routing_key\":\"" + ROUTING_KEY + "\",\"event_action\":\"trigger\","
                        + "\"dedup_key\":\"" + runId + "\",\"payload\":{\"summary\":\"checkout (production): rollback card "
                        + "undecided past its FAST deadline\",\"source\":\"rewind\",\"severity\":\"error\","
                        + "\"custom_details\":{\"run\":\"" + runId + "\",\"service\":\"checkout\",\"environment\":\"production\","
                        + "\"state\":\"ASSESSED\",\"undecided_for\":\"${json-unit.any-string}\",\"card\":\"${json-unit.any-string}\"}}}"))));
        rewind.clock().advance(Duration.ofMinutes(10));
        assertThat(replies(ts).stream().filter(t -> t.contains("past its decision deadline"))).as("escalated once").hasSize(1);

        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.DISMISS, runId);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> pagerDuty.verify(1, postRequestedFor(urlEqualTo("/v2/enqueue"))
                .withRequestBody(equalToJson("{\"routing_key\":\"" + ROUTING_KEY + "\",\"event_action\":\"resolve\","
                        + "\"dedup_key\":\"" + runId + "\"}"))));
        assertThat(rewind.get("/metrics").body()).doesNotContain(ROUTING_KEY);
    }

    private List<String> replies(String ts) {
        return rewind.slack().posted().stream().filter(p -> ts.equals(p.get("thread_ts"))).map(p -> p.getOrDefault("text", ""))
                .toList();
    }
}
