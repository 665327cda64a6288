package dev.rewind.slack;

import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SignedSlack;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.BOB;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static dev.rewind.testing.RewindFixture.MALLORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The first complete path: /rollback, the card, a click, the Deployment rolled back, the report. */
class WalkingSkeletonIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RewindFixture rewind;

    @BeforeEach
    void start() throws Exception {
        rewind = RewindFixture.start();
        rewind.prometheus().returns("errors", 0.182).before(0.004);
        rewind.prometheus().returns("latency", 0.9).before(0.3);
    }

    /** The numbers come back after the rollback, so verification passes. */
    private void recovers() {
        rewind.prometheus().returns("errors", 0.001);
        rewind.prometheus().returns("latency", 0.31);
    }

    private static String text(HttpResponse<String> ack) {
        return JSON.readTree(ack.body()).path("text").asString();
    }

    @AfterEach
    void stop() {
        rewind.close();
    }

    @Test
    void helpAndEmptyCommandAnswerWithEphemeralUsage() {
        for (String text : new String[]{"", "help"}) {
            HttpResponse<String> response = rewind.signed().command(ALICE, CHANNEL, text);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"response_type\":\"ephemeral\"");
            assertThat(text(response)).contains("/rollback <service>");
        }
        assertThat(rewind.slack().posted()).isEmpty();
    }

    @Test
    void unknownServiceIsAnsweredWithTheClosestNames() {
        HttpResponse<String> response = rewind.signed().command(ALICE, CHANNEL, "chekout");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("ephemeral");
        assertThat(text(response)).contains("No service named").contains("`checkout`");
        assertThat(rewind.slack().posted()).isEmpty();
    }

    @Test
    void listShowsEachServiceWithItsCurrentRevisionAndImage() {
        HttpResponse<String> ack = rewind.signed().command(ALICE, CHANNEL, "list");
        assertThat(ack.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts()).as("private answers").isNotEmpty());
        String text = rewind.slack().ephemeralTexts().get(0);
        assertThat(text).contains("*checkout*").contains("r3").contains("shop/checkout:1.4.2")
                .contains("*cart*").contains("r2").contains("shop/cart:2.1.0");
    }

    @Test
    void cardShowsRevisionsSignalsAndButtons() {
        HttpResponse<String> ack = rewind.signed().command(ALICE, CHANNEL, "checkout error spike after deploy");
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ack.body()).contains("Assessing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().posted()).as("messages posted").isNotEmpty());
        Map<String, String> card = rewind.slack().posted().get(0);
        assertThat(card.get("channel")).isEqualTo(CHANNEL);
        String text = SlackStub.readable(card);
        assertThat(text).contains("checkout (production)")
                .contains("r3").contains("shop/checkout:1.4.2")
                .contains("r2").contains("shop/checkout:1.4.1")
                .contains("error rate 18.2% vs 0.4%").contains("(46×)")
                .contains("p99 latency 900 ms vs 300 ms")
                .contains("FAST")
                .contains("Roll back to r2").contains("Dismiss")
                .contains("error spike after deploy");
    }

    @Test
    void cardSaysWhenMetricsAreNotConfigured() throws Exception {
        rewind.close();
        rewind = RewindFixture.builder().withoutPrometheus().build();
        String text = SlackStub.readable(rewind.cardFor(ALICE, "checkout"));
        assertThat(text).contains("Metrics are not configured").contains("Roll back to r2");
    }

    @Test
    void cardSaysWhenPrometheusIsUnreachable() throws Exception {
        rewind.close();
        rewind = RewindFixture.builder().env("PROMETHEUS_URL", "http://127.0.0.1:9").build();
        String text = SlackStub.readable(rewind.cardFor(ALICE, "checkout"));
        assertThat(text).contains("Prometheus unreachable").contains("Roll back to r2");
    }

    @Test
    void approverClickRollsTheDeploymentBackAndTheCardSaysDone() {
        recovers();
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        String value = rollBackValue(card);

        HttpResponse<String> ack = rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, value);
        assertThat(ack.statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.latestCardText(ts)).contains("Rolled back to r2").contains("done"));
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1");
        String done = rewind.latestCardText(ts);
        assertThat(done).contains("https://rewind.example.com/reports/rb-").containsPattern("in \\d+ s");
        assertThat(rewind.slack().updates().stream().map(SlackStub::readable))
                .anyMatch(t -> t.contains("Rolling back to r2") || t.contains("verifying"));
    }

    @Test
    void clickByAnyoneElseIsRefusedAndNothingChanges() {
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();

        rewind.signed().click(MALLORY, CHANNEL, ts, ActionIds.ROLL_BACK, rollBackValue(card));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.slack().ephemeralTexts()).as("private answers").isNotEmpty());
        String refusal = rewind.slack().ephemeralTexts().get(rewind.slack().ephemeralTexts().size() - 1);
        assertThat(refusal).contains("Only approvers of checkout (<!subteam^S0SRE>, <@U0ALICE>) may roll back checkout")
                .contains("Nothing was changed");
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
        assertThat(rewind.slack().updates()).isEmpty();
    }

    @Test
    void memberOfAnApproverGroupMayRollBack() {
        rewind.slack().groupMembers("S0SRE", BOB);
        recovers();
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();

        rewind.signed().click(BOB, CHANNEL, ts, ActionIds.ROLL_BACK, rollBackValue(card));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1"));
    }

    @Test
    void twoClicksAndARetryMakeOneRun() {
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        String value = rollBackValue(card);
        var payload = SignedSlack.blockAction(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, value, null, "1700000200.000001");
        rewind.signed().withResponseUrl(payload, "double");

        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> rewind.signed().interaction(payload));
        CompletableFuture<HttpResponse<String>> retry = CompletableFuture.supplyAsync(() -> rewind.signed().interaction(payload));
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() ->
                rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, value));
        assertThat(first.join().statusCode()).isEqualTo(200);
        assertThat(retry.join().statusCode()).isEqualTo(200);
        assertThat(second.join().statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.latestCardText(ts)).containsAnyOf("Rolled back to r2", "failed"));
        assertThat(rewind.kubernetes().replicaSets("shop").stream()
                .filter(rs -> rs.getMetadata().getName().startsWith("checkout-"))).hasSize(3);
        assertThat(rewind.slack().ephemeralTexts()).anyMatch(t -> t.contains("already"));
        assertThat(rewind.latestCardText(ts)).contains("r2");
    }

    @Test
    void dismissSaysWhoAndWhenAndStoresTheDecision() {
        rewind.slack().groupMembers("S0SRE", BOB);
        Map<String, String> card = rewind.cardFor(ALICE, "checkout");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        String runId = ActionIds.runId(rollBackValue(card));

        rewind.signed().click(BOB, CHANNEL, ts, ActionIds.DISMISS, runId);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.latestCardText(ts)).contains("Dismissed by <@U0BOB>").contains("<!date^"));
        assertThat(rewind.latestCardText(ts)).doesNotContain("Roll back to r2");
        String report = rewind.get("/reports/" + runId + "?format=md").body();
        assertThat(report).contains("ABORTED").contains("Dismissed by @U0BOB");
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.2");
    }

    @Test
    void forgedSignaturesAndStaleTimestampsGet401() {
        String body = SignedSlack.formBody(Map.of("command", "/rollback", "text", "checkout", "user_id", ALICE,
                "channel_id", CHANNEL, "team_id", "T0TEAM", "response_url", "http://127.0.0.1:1/x", "trigger_id", "t"));
        long now = SignedSlack.now();
        assertThat(rewind.signed().post(body, now, "v0=" + "0".repeat(64)).statusCode()).isEqualTo(401);
        assertThat(rewind.signed().post(body, now - 10 * 60).statusCode()).isEqualTo(401);
        assertThat(rewind.signed().post(body, now).statusCode()).isEqualTo(200);
    }

    @Test
    void reportIsServedAsHtmlAndMarkdown() {
        recovers();
        Map<String, String> card = rewind.cardFor(ALICE, "checkout incident 42");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        String value = rollBackValue(card);
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, value);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("Rolled back to r2"));
        String runId = ActionIds.runId(value);

        HttpResponse<String> html = rewind.get("/reports/" + runId);
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(html.body()).contains("Rollback of checkout (production)").contains("U0ALICE")
                .contains("r3 (shop/checkout:1.4.2) → r2 (shop/checkout:1.4.1)").contains("Timeline")
                .contains("Approved").contains("incident 42");

        HttpResponse<String> md = rewind.get("/reports/" + runId + "?format=md");
        assertThat(md.body()).startsWith("# Rollback of checkout").contains("| Time | Milestone |")
                .contains("**Approved by:** @U0ALICE");
        assertThat(rewind.get("/reports/rb-0000000000").statusCode()).isEqualTo(404);
        assertThat(rewind.get("/reports/nonsense").statusCode()).isEqualTo(400);
    }

    @Test
    void healthReadinessAndMetricsAnswer() {
        assertThat(rewind.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(rewind.get("/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = rewind.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("rewind_active_runs").contains("jvm_memory");
    }

    static String rollBackValue(Map<String, String> card) {
        return RewindFixture.buttonValue(card.get("blocks"), ActionIds.ROLL_BACK);
    }
}
