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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole of Rewind with a webhook service: an approved rollback POSTs to the receiver, and the
 * receiver's signed reports on Rewind's real port (matched through the run store and the catalogue)
 * drive the card to done. A forged report gets 401, a run without a webhook step 404.
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
            if (!WebhookSignature.sign(SECRET, call.raw().getBody()).equals(call.header(WebhookSignature.HEADER))) {
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
    void signedReportsDriveTheRunAndForgedOnesAreRefused() {
        Map<String, String> card = rewind.cardFor(ALICE, "payments");
        String ts = rewind.slack().postedWithTs().get(0).ts();
        assertThat(rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, rollBackValue(card)).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> !runIds.isEmpty());
        String runId = runIds.get(0);

        assertThat(report(runId, "{\"status\":\"failed\",\"message\":\"forged\"}", "wrong-secret").statusCode()).isEqualTo(401);
        HttpResponse<String> progress = report(runId, "{\"status\":\"progress\",\"message\":\"switching to 4.1.0\"}", SECRET);
        assertThat(progress.statusCode()).isEqualTo(200);
        assertThat(progress.body()).contains("recorded progress");
        assertThat(report(runId, "{\"status\":\"succeeded\",\"message\":\"4.1.0 is live\"}", SECRET).statusCode())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(rewind.latestCardText(ts)).contains("Rolled back to previous").contains("done"));
        assertThat(rewind.get("/reports/" + runId + "?format=md").body())
                .contains("switching to 4.1.0").contains("4.1.0 is live").doesNotContain("forged");
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void aRunWithoutAWebhookStepIsNotFound() {
        HttpResponse<String> unknown = report("rb-nosuchrun1", "{\"status\":\"succeeded\"}", SECRET);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no run rb-nosuchrun1");
    }

    private HttpResponse<String> report(String runId, String body, String secret) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(rewind.url("/runs/" + runId + "/events")))
                .header(WebhookSignature.HEADER, WebhookSignature.sign(secret, body.getBytes(StandardCharsets.UTF_8)))
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
