package dev.rewind.incident;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.rewind.rollback.Mentions;
import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Words typed by a channel member or sent by an integration (a reason, an alert's name and labels)
 * carrying Rewind's mention tokens or Slack's own control sequences ping no one anywhere Rewind
 * writes, and cannot add links, headings or HTML to the Markdown report or the GitHub issue.
 */
class MentionInjectionIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String HOSTILE = "@{S0SRE} @{U0MALLORY} @{C0SECRET} <!channel> <!here> <@U0BOB> "
            + "[click](http://evil.example) # heading <img src=x>";

    private final HttpClient http = HttpClient.newHttpClient();
    private final WireMockServer github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
        github.stop();
    }

    private void start() throws Exception {
        github.start();
        github.stubFor(post(urlEqualTo("/repos/acme/incidents/issues")).willReturn(WireMock.aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"number\":7,\"html_url\":\"https://github.com/acme/incidents/issues/7\"}")));
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "alerts:",
                "  defaultChannel: C0OPS",
                "services:",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    signals: {errorRate: 'errors'}",
                "    approvers: [" + ALICE + "]",
                "    viewers: [" + BOB + "]",
                "    verification: {checks: 1, interval: 0s}",
                "    report: {github: acme/incidents, apiUrl: '" + github.baseUrl() + "'}",
                "")).env("GITHUB_TOKEN", "ghp_test_token").build();
        rewind.prometheus().returns("errors", 0.001).before(0.001);
    }

    /** Every body Rewind sent to Slack's Web API so far, form-decoded, in one string. */
    private String everythingSentToSlack() {
        return rewind.slack().server().getAllServeEvents().stream().map(ServeEvent::getRequest)
                .map(r -> decoded(r.getBodyAsString())).collect(Collectors.joining("\n"));
    }

    private static String decoded(String body) {
        try {
            return URLDecoder.decode(body, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notAForm) {
            return body;
        }
    }

    private static void assertPingsNoOne(String sent) {
        assertThat(sent).doesNotContain("<!subteam^S0SRE").doesNotContain("<@U0MALLORY>").doesNotContain("<#C0SECRET>")
                .doesNotContain("<!channel>").doesNotContain("<!here>").doesNotContain("<@U0BOB>");
    }

    @Test
    void aReasonWithMentionTokensAndMarkupIsShownAsTypedOnTheCardInTheRoomInTheReportAndTheIssue() throws Exception {
        start();
        Map<String, String> card = rewind.cardFor(BOB, "checkout " + HOSTILE);
        String ts = rewind.slack().postedWithTs().get(0).ts();
        String value = RewindFixture.buttonValue(card.get("blocks"), ActionIds.ROLL_BACK);
        String runId = ActionIds.runId(value);
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, value);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(github.findAll(postRequestedFor(
                urlEqualTo("/repos/acme/incidents/issues")))).as("issues filed on GitHub").isNotEmpty());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().calls("files.completeUploadExternal"))
                .isNotEmpty());

        String sent = everythingSentToSlack();
        assertPingsNoOne(sent);
        // What people read is what was typed (the word joiner inside "@{" is invisible).
        assertThat(SlackStub.readable(card).replace(Mentions.WORD_JOINER, "")).contains("@{S0SRE} @{U0MALLORY}")
                .contains("&lt;!channel&gt;");

        String markdown = rewind.get("/reports/" + runId + "?format=md").body();
        String issue = JSON.readTree(github.findAll(postRequestedFor(urlEqualTo("/repos/acme/incidents/issues"))).get(0)
                .getBodyAsString()).path("body").asString();
        for (String md : new String[]{markdown, issue}) {
            assertThat(md).contains("\\[click\\](http://evil.example)").doesNotContain("[click](")
                    .contains("\\# heading").contains("\\<img src=x\\>").doesNotContain(" <img")
                    .doesNotContain("@S0SRE").doesNotContain("@U0MALLORY")
                    .doesNotContain("<!channel>").contains("# Rollback of checkout");
        }
    }

    @Test
    void anUnroutedAlertsNameAndLabelsPingNoOneInTheAnnouncement() throws Exception {
        start();
        String alert = "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"rewind\",\"alerts\":[{\"status\":\"firing\","
                + "\"labels\":{\"alertname\":\"Disk@{S0SRE}\",\"service\":\"billing <!channel>\",\"team\":\"@{U0MALLORY}\"},"
                + "\"annotations\":{\"summary\":\"@{S0SRE} <!here> look\"},\"startsAt\":\"2026-11-26T03:00:00Z\","
                + "\"endsAt\":\"0001-01-01T00:00:00Z\",\"fingerprint\":\"f00d\"}]}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(rewind.url("/alerts/alertmanager")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(alert)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        // An announcement may be gathered into a per-minute digest: let that minute pass.
        rewind.clock().advance(Duration.ofMinutes(2));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .as("posts, one in C0OPS about billing").anyMatch(p -> "C0OPS".equals(p.get("channel")) && p.get("text").contains("billing")));
        String announcement = rewind.slack().posted().stream().filter(p -> "C0OPS".equals(p.get("channel")))
                .map(SlackStub::readable).collect(Collectors.joining("\n"));
        assertPingsNoOne(everythingSentToSlack());
        assertThat(announcement.replace(Mentions.WORD_JOINER, "")).contains("Disk@{S0SRE}");
    }
}
