package dev.rewind.incident;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The incident channel, live progress through the outbox, verified recovery and the report. */
class IncidentIT {

    private static final String CATALOGUE = String.join("\n",
            "services:",
            "  - name: checkout",
            "    channel: " + CHANNEL,
            "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
            "    signals: {errorRate: 'errors', latencyP99: 'latency'}",
            "    approvers: [" + ALICE + "]",
            "    viewers: [" + BOB + "]",
            "    oncall: S0ONCALL",
            "    verification: {checks: 2, interval: 0s}",
            "    report: {github: acme/incidents, apiUrl: 'GITHUB_URL'}",
            "");

    private RewindFixture rewind;

    @AfterEach
    void stop() {
        if (rewind != null) {
            rewind.close();
        }
    }

    private void start() throws Exception {
        rewind = RewindFixture.builder().catalogue(CATALOGUE.replace("GITHUB_URL", "http://127.0.0.1:1"))
                .env("GITHUB_TOKEN", "ghp_test_token").build();
    }

    private String rollBack() {
        Map<String, String> card = rewind.cardFor(BOB, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        Matcher matcher = Pattern.compile("\"action_id\":\"rewind.roll_back\"[^}]*?\"value\":\"([^\"]+)\"").matcher(card.get("blocks"));
        assertThat(matcher.find()).isTrue();
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, matcher.group(1));
        return ActionIds.runId(matcher.group(1));
    }

    private String report(String runId) {
        return rewind.get("/reports/" + runId + "?format=md").body();
    }

    private List<Map<String, String>> threadLines() {
        return rewind.slack().posted().stream().filter(p -> p.containsKey("thread_ts")).toList();
    }

    @Test
    void anApprovedRollbackGetsAnIncidentChannelWithLiveStatusAndTimelineAndTheReport() throws Exception {
        start();
        rewind.prometheus().returns("errors", 0.2).before(0.002);
        rewind.prometheus().returns("latency", 0.5).before(0.3);
        rewind.slack().groupMembers("S0ONCALL", "U0ONCALL1", "U0ONCALL2");
        String day = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        rewind.slack().server().stubFor(post(urlEqualTo("/api/conversations.create")).atPriority(1)
                .withRequestBody(containing("name=inc-" + day + "-checkout-1"))
                .willReturn(okJson("{\"ok\":false,\"error\":\"name_taken\"}")));

        String runId = rollBack();
        rewind.prometheus().returns("errors", 0.001);
        rewind.prometheus().returns("latency", 0.3);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(report(runId)).as("the run report")
                .contains("**State:** SUCCEEDED"));

        List<Map<String, String>> created = rewind.slack().calls("conversations.create");
        assertThat(created).extracting(c -> c.get("name"))
                .containsExactly("inc-" + day + "-checkout-1", "inc-" + day + "-checkout-2");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().calls("conversations.invite"))
                .isNotEmpty());
        String room = rewind.slack().calls("conversations.invite").get(0).get("channel");
        assertThat(rewind.slack().calls("conversations.invite").get(0).get("users"))
                .contains("U0ALICE").contains("U0BOB").contains("U0ONCALL1").contains("U0ONCALL2");
        assertThat(rewind.slack().calls("conversations.setTopic").get(0).get("topic")).contains("checkout rollback r3 → r2");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.slack().updates())
                .as("chat.update calls, one of the incident room's status saying SUCCEEDED")
                .anyMatch(u -> room.equals(u.get("channel")) && u.get("text").contains("SUCCEEDED")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(String.join("\n", threadLines().stream()
                .map(l -> l.get("text")).toList())).as("the timeline threads").contains("Rolled back to r2. Recovered"));
        String timeline = String.join("\n", threadLines().stream().filter(l -> room.equals(l.get("channel")))
                .map(l -> l.get("text")).toList());
        assertThat(timeline).containsPattern("`\\d\\d:\\d\\d:\\d\\d` Rollback started")
                .contains("pod template of r2 restored").contains("Check 2/2 passed");
        assertThat(timeline.indexOf("Rollback started")).isLessThan(timeline.indexOf("Check 1/2 passed"));
        assertThat(timeline.indexOf("Check 1/2 passed")).isLessThan(timeline.indexOf("Check 2/2 passed"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().calls("files.completeUploadExternal"))
                .isNotEmpty());
        assertThat(rewind.slack().calls("files.completeUploadExternal").get(0).get("channel_id")).isEqualTo(room);
        String uploaded = rewind.slack().server().findAll(postRequestedFor(urlEqualTo("/upload/F0REPORT"))).get(0).getBodyAsString();
        assertThat(uploaded).contains("# Rollback of checkout").contains("## Post-mortem")
                .containsPattern("\\*\\*Review meeting:\\*\\* within 48 h, by \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC")
                .contains("### Impact").contains("- Severity: tier FAST")
                .contains("- errorRate at its worst: 20.0% at").contains("(before the deploy 0.2% (before r3 was deployed), after the rollback 0.1%)")
                .contains("- Requests or users affected: no signal counts them")
                .contains("### Root cause (five whys)").contains("### Lessons learned").contains("### Prevention")
                .contains("- [ ] _Action_ — owner: _@…_").contains("### Documents to update")
                .contains("- [ ] Runbook of checkout").contains("Impact window");
        assertThat(uploaded.indexOf("## Timeline")).as("the timeline comes before the post-mortem")
                .isLessThan(uploaded.indexOf("## Post-mortem"));

        String md = report(runId);
        assertThat(md).contains("| errorRate | 0.2% (before r3 was deployed) | 20.0% at").contains("| 0.1% |")
                .contains("Traffic back on the old version").contains("Stable");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(String.join(" ", rewind.slack().updates().stream()
                .filter(u -> CHANNEL.equals(u.get("channel"))).map(SlackStub::readable).toList()))
                .as("the card's updates in the service channel").contains("Follow it in <#" + room + ">"));

        String metrics = rewind.get("/metrics").body();
        assertThat(metrics).contains("rewind_rollbacks_total{adapter=\"kubernetes-deployment\",outcome=\"succeeded\","
                        + "service=\"checkout\",trigger=\"command\"} 1.0")
                .containsPattern("rewind_decision_seconds_count\\{tier=\"[A-Z]+\"} 1")
                .containsPattern("rewind_rollback_duration_seconds_count\\{?[^}]*}? 1")
                .containsPattern("rewind_time_to_recovery_seconds_count\\{?[^}]*}? 1")
                .contains("rewind_active_runs 0.0");
    }

    @Test
    void slackFailingForAWhileDelaysTheMessagesNotTheRollbackAndEveryStepArrivesInOrder() throws Exception {
        start();
        rewind.prometheus().returns("errors", 0.001).before(0.001);
        rewind.prometheus().returns("latency", 0.3).before(0.3);
        Map<String, String> card = rewind.cardFor(BOB, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        Matcher matcher = Pattern.compile("\"action_id\":\"rewind.roll_back\"[^}]*?\"value\":\"([^\"]+)\"").matcher(card.get("blocks"));
        assertThat(matcher.find()).isTrue();
        String runId = ActionIds.runId(matcher.group(1));

        rewind.slack().beFlaky("chat.postMessage", "chat.update", "conversations.create", "conversations.setTopic",
                "conversations.invite", "files.getUploadURLExternal", "chat.postEphemeral");
        long started = System.nanoTime();
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, matcher.group(1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(report(runId)).as("the run report")
                .contains("**State:** SUCCEEDED"));
        long rollbackMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(rewind.slack().failuresServed()).as("Slack was failing meanwhile").isPositive();
        assertThat(rollbackMillis).as("the rollback did not wait for Slack").isLessThan(15_000);

        Thread.sleep(3_000);
        rewind.slack().recover();

        List<String> steps = new ArrayList<>();
        for (String line : report(runId).split("\n")) {
            if (line.startsWith("- ") && line.contains(" UTC — ")) {
                steps.add(line.substring(line.indexOf(" UTC — ") + 7));
            }
        }
        List<String> expected = steps.subList(steps.indexOf(steps.stream().filter(s -> s.startsWith("Rollback started"))
                .findFirst().orElseThrow()), steps.size());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(String.join("\n", threadLines().stream()
                .map(l -> l.get("text")).toList())).as("the timeline thread, up to the report's last step")
                .contains(expected.get(expected.size() - 1).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")));
        String timeline = String.join("\n", threadLines().stream().map(l -> l.get("text")).toList());
        int position = -1;
        for (String step : expected) {
            String escaped = step.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
            int at = timeline.indexOf(escaped, position + 1);
            assertThat(at).as("step in order: " + step).isGreaterThan(position);
            position = at;
        }
        assertThat(timeline.split("Rollback started", -1)).as("no step sent twice").hasSize(2);
    }

    @Test
    void aMissingScopeIsReportedInTheCardChannelAndTheRollbackProceeds() throws Exception {
        start();
        rewind.prometheus().returns("errors", 0.001).before(0.001);
        rewind.prometheus().returns("latency", 0.3).before(0.3);
        rewind.slack().server().stubFor(post(urlEqualTo("/api/conversations.create")).atPriority(1)
                .willReturn(okJson("{\"ok\":false,\"error\":\"missing_scope\",\"needed\":\"channels:manage\"}")));

        String runId = rollBack();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(report(runId)).as("the run report")
                .contains("**State:** SUCCEEDED"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted())
                .as("posts, one telling the service channel why there is no incident channel").anyMatch(p ->
                CHANNEL.equals(p.get("channel")) && p.get("text") != null
                        && p.get("text").contains("could not create an incident channel (conversations.create: missing_scope")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(threadLines())
                .as("thread lines, the timeline in the service channel").anyMatch(l -> CHANNEL.equals(l.get("channel"))
                && l.get("text").contains("Rollback started")));
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1");
    }

    @Test
    void theReportIsFiledAsAGitHubIssueWhenTheServiceAsks() throws Exception {
        rewind = RewindFixture.builder().catalogue(CATALOGUE).env("GITHUB_TOKEN", "ghp_test_token").build();
        rewind.close();
        rewind = null;
        var github = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().dynamicPort());
        github.start();
        try {
            github.stubFor(post(urlEqualTo("/repos/acme/incidents/issues")).willReturn(
                    com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(201)
                            .withHeader("Content-Type", "application/json")
                            .withBody("{\"number\":42,\"html_url\":\"https://github.com/acme/incidents/issues/42\"}")));
            rewind = RewindFixture.builder().catalogue(CATALOGUE.replace("GITHUB_URL", github.baseUrl()))
                    .env("GITHUB_TOKEN", "ghp_test_token").build();
            rewind.prometheus().returns("errors", 0.001).before(0.001);
            rewind.prometheus().returns("latency", 0.3).before(0.3);
            String runId = rollBack();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(github.findAll(postRequestedFor(
                    urlEqualTo("/repos/acme/incidents/issues")))).as("issues filed on GitHub").isNotEmpty());
            var request = github.findAll(postRequestedFor(urlEqualTo("/repos/acme/incidents/issues"))).get(0);
            assertThat(request.getHeader("Authorization")).isEqualTo("Bearer ghp_test_token");
            assertThat(request.getBodyAsString()).contains("Rollback of checkout (production): succeeded — " + runId)
                    .contains("Post-mortem").contains("\"labels\":[\"rollback\",\"rewind\"]");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(report(runId)).as("the run report")
                    .contains("Report filed as GitHub issue https://github.com/acme/incidents/issues/42"));
        } finally {
            github.stop();
        }
    }
}
