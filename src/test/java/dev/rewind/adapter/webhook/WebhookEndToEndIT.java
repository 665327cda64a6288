package dev.rewind.adapter.webhook;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.FakeHttpService;
import dev.rewind.testing.FakeHttpService.Reply;
import dev.rewind.testing.RewindFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole of Rewind with a webhook service: an approved rollback POSTs to the receiver, and the
 * receiver's v2-signed reports on Rewind's real port (matched through the run store and the catalogue)
 * drive the card to done. A forged report, or one captured on another run, gets 401; a report before
 * the request was sent or after the run ended gets 409 and changes nothing; a run without a webhook step 404.
 */
class WebhookEndToEndIT {

    private static final String SECRET = "payments-webhook-secret";

    private final CopyOnWriteArrayList<String> runIds = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeHttpService receiver;
    private RewindFixture rewind;

    @BeforeEach
    void start() throws Exception {
        receiver = new FakeHttpService(call -> {
            String timestamp = call.header(WebhookSignature.TIMESTAMP_HEADER);
            String runId = call.header(WebhookSignature.RUN_HEADER);
            if (timestamp == null || runId == null || !WebhookWorld.v2(SECRET, timestamp, runId, call.raw().getBody())
                    .equals(call.header(WebhookSignature.HEADER))) {
                return Reply.error(401, "bad signature");
            }
            runIds.add(call.header(WebhookSignature.RUN_HEADER));
            return Reply.json(202, Map.of("accepted", true));
        });
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: payments",
                "    channel: " + CHANNEL,
                "    environment: production",
                "    target: {type: webhook, url: '" + receiver.url() + "/rollback', secretEnv: PAYMENTS_HOOK_SECRET, timeout: 30s}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s}",
                "  - name: billing",
                "    channel: " + CHANNEL,
                "    environment: production",
                "    target: {type: webhook, url: '" + receiver.url() + "/rollback', secretEnv: PAYMENTS_HOOK_SECRET, timeout: 30s}",
                "    approvers: [" + ALICE + "]",
                "    verification: {checks: 1, interval: 0s}",
                "  - name: checkout",
                "    channel: " + CHANNEL,
                "    target: {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    approvers: [" + ALICE + "]",
                "")).env("PAYMENTS_HOOK_SECRET", SECRET).withoutPrometheus().build();
    }

    @AfterEach
    void stop() {
        rewind.close();
        receiver.close();
    }

    @Test
    void signedReportsDriveTheRunAndOnesBeforeTheRequestForgedOrAfterTheEndAreRefused() {
        Map<String, String> card = rewind.cardFor(ALICE, "payments");
        String ts = rewind.cards().get(0).ts();
        String runId = ActionIds.runId(rollBackValue(card));

        HttpResponse<String> early = report(runId, "{\"status\":\"succeeded\",\"message\":\"done before asked\"}", SECRET);
        assertThat(early.statusCode()).as("a completion before the request was sent").isEqualTo(409);
        assertThat(early.body()).contains("has not sent run " + runId + "'s webhook request");

        assertThat(rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, rollBackValue(card)).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(runIds).isNotEmpty());
        assertThat(runIds).as("approving still asks the receiver").containsExactly(runId);
        assertThat(rewind.latestCardText(ts)).doesNotContain("Rolled back to previous");

        assertThat(report(runId, "{\"status\":\"failed\",\"message\":\"forged\"}", "wrong-secret").statusCode()).isEqualTo(401);
        HttpResponse<String> progress = report(runId, "{\"status\":\"progress\",\"message\":\"switching to 4.1.0\"}", SECRET);
        assertThat(progress.statusCode()).isEqualTo(200);
        assertThat(progress.body()).contains("recorded progress");
        assertThat(report(runId, "{\"status\":\"succeeded\",\"message\":\"4.1.0 is live\"}", SECRET).statusCode())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.latestCardText(ts)).contains("Rolled back to previous").contains("done"));
        HttpResponse<String> late = report(runId, "{\"status\":\"failed\",\"message\":\"late failure\"}", SECRET);
        assertThat(late.statusCode()).as("a report after the run finished").isEqualTo(409);
        assertThat(late.body()).contains("no longer waiting");
        assertThat(rewind.get("/reports/" + runId + "?format=md").body())
                .contains("switching to 4.1.0").contains("4.1.0 is live")
                .doesNotContain("forged").doesNotContain("done before asked").doesNotContain("late failure");
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void aReportCapturedOnOneRunReplayedOntoARunOfAnotherServiceSharingTheSecretGets401() {
        Map<String, String> first = rewind.cardFor(ALICE, "payments");
        String firstTs = rewind.cards().get(0).ts();
        String firstRun = ActionIds.runId(rollBackValue(first));
        rewind.signed().click(ALICE, CHANNEL, firstTs, ActionIds.ROLL_BACK, rollBackValue(first));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(runIds).hasSize(1));
        String body = "{\"status\":\"succeeded\",\"message\":\"rolled back\"}";
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String captured = WebhookWorld.v2(SECRET, timestamp, firstRun, body.getBytes(StandardCharsets.UTF_8));
        assertThat(report(firstRun, body, timestamp, captured).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.latestCardText(firstTs)).contains("Rolled back to previous").contains("done"));

        int before = rewind.cards().size();
        Map<String, String> second = rewind.cardFor(ALICE, "billing");
        String secondTs = rewind.cards().get(before).ts();
        String secondRun = ActionIds.runId(rollBackValue(second));
        rewind.signed().click(ALICE, CHANNEL, secondTs, ActionIds.ROLL_BACK, rollBackValue(second));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(runIds).hasSize(2));

        HttpResponse<String> replayed = report(secondRun, body, timestamp, captured);
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(replayed.body()).contains("does not match the run id " + secondRun);
        assertThat(rewind.latestCardText(secondTs)).as("the replay did not finish the second run")
                .doesNotContain("Rolled back to previous");
        assertThat(report(secondRun, "{\"status\":\"failed\",\"message\":\"previous build is gone\"}", SECRET)
                .statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.latestCardText(secondTs)).contains("previous build is gone"));
    }

    @Test
    void aRunWithoutAWebhookStepIsNotFound() {
        HttpResponse<String> unknown = report("rb-nosuchrun1", "{\"status\":\"succeeded\"}", SECRET);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no run rb-nosuchrun1");
    }

    /** A report signed v2 with {@code secret} now, as a receiver sends it. */
    private HttpResponse<String> report(String runId, String body, String secret) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        return report(runId, body, timestamp, WebhookWorld.v2(secret, timestamp, runId, body.getBytes(StandardCharsets.UTF_8)));
    }

    private HttpResponse<String> report(String runId, String body, String timestamp, String signature) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(rewind.url("/runs/" + runId + "/events")))
                .header(WebhookSignature.TIMESTAMP_HEADER, timestamp)
                .header(WebhookSignature.HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rollBackValue(Map<String, String> card) {
        return RewindFixture.buttonValue(card.get("blocks"), ActionIds.ROLL_BACK);
    }
}
