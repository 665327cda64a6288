package dev.rewind.rollback;

import dev.rewind.slack.ActionIds;
import dev.rewind.testing.RewindFixture;
import dev.rewind.testing.SlackStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rewind.testing.RewindFixture.ALICE;
import static dev.rewind.testing.RewindFixture.CHANNEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A service whose rollback is a plan of several targets: shown on the card, run in order, stopped at the first failure. */
class PlanIT {

    private RewindFixture rewind;

    @AfterEach
    void stop() {
        rewind.close();
    }

    private void start() throws Exception {
        rewind = RewindFixture.builder().catalogue(String.join("\n",
                "services:",
                "  - name: shop",
                "    channel: " + CHANNEL,
                "    targets:",
                "      - {type: kubernetes-deployment, namespace: shop, deployment: cart}",
                "      - {type: kubernetes-deployment, namespace: shop, deployment: checkout}",
                "    approvers: [" + ALICE + "]",
                "    timeout: 20s",
                "")).build();
    }

    private String clickRollBack(Map<String, String> card) {
        String ts = rewind.slack().postedWithTs().get(0).ts();
        Matcher matcher = Pattern.compile("\"action_id\":\"rewind.roll_back\"[^}]*?\"value\":\"([^\"]+)\"").matcher(card.get("blocks"));
        assertThat(matcher.find()).isTrue();
        rewind.signed().click(ALICE, CHANNEL, ts, ActionIds.ROLL_BACK, matcher.group(1));
        return ts;
    }

    @Test
    void everyStepRunsInOrder() throws Exception {
        start();
        Map<String, String> card = rewind.cardFor(ALICE, "shop");
        assertThat(SlackStub.readable(card)).contains("kubernetes-deployment shop/cart").contains("kubernetes-deployment shop/checkout");

        String ts = clickRollBack(card);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("done"));
        assertThat(rewind.kubernetes().image("shop", "cart")).isEqualTo("shop/cart:2.0.0");
        assertThat(rewind.kubernetes().image("shop", "checkout")).isEqualTo("shop/checkout:1.4.1");
        String log = rewind.get("/reports/" + ActionIds.runId(runValue(card)) + "?format=md").body();
        assertThat(log.indexOf("Step 1/2 kubernetes-deployment shop/cart")).isPositive()
                .isLessThan(log.indexOf("Step 2/2 kubernetes-deployment shop/checkout"));
    }

    @Test
    void theFirstFailureStopsThePlanAndSaysWhatWasAndWasNotDone() throws Exception {
        start();
        rewind.kubernetes().breakImage("shop/cart:2.0.0");
        Map<String, String> card = rewind.cardFor(ALICE, "shop");

        String ts = clickRollBack(card);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                .contains("failed"));
        assertThat(rewind.latestCardText(ts)).contains("Step 1/2 kubernetes-deployment shop/cart")
                .contains("ImagePullBackOff").contains("Done: none; not done: kubernetes-deployment shop/checkout");
        assertThat(rewind.kubernetes().image("shop", "checkout")).as("step 2 never ran").isEqualTo("shop/checkout:1.4.2");
    }

    @Test
    void aPlanPickedUpAfterARestartGoesOnFromTheFirstStepNotDone() throws Exception {
        String secret = "plan-hook-secret";
        java.util.List<String> posts = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (dev.rewind.testing.FakeHttpService receiver = new dev.rewind.testing.FakeHttpService(call -> {
            posts.add(call.header(dev.rewind.adapter.webhook.WebhookSignature.RUN_HEADER));
            return dev.rewind.testing.FakeHttpService.Reply.json(202, Map.of("accepted", true));
        })) {
            rewind = RewindFixture.builder().catalogue(String.join("\n",
                    "services:",
                    "  - name: shop",
                    "    channel: " + CHANNEL,
                    "    targets:",
                    "      - {type: kubernetes-deployment, namespace: shop, deployment: cart}",
                    "      - {type: webhook, url: '" + receiver.url() + "/rollback', secretEnv: HOOK_SECRET, timeout: 60s}",
                    "    approvers: [" + ALICE + "]",
                    "    timeout: 60s",
                    "    verification: {checks: 1, interval: 0s}",
                    "")).env("HOOK_SECRET", secret).build();
            Map<String, String> card = rewind.cardFor(ALICE, "shop");
            String ts = clickRollBack(card);
            String runId = ActionIds.runId(runValue(card));
            // Step 1 done, step 2 waiting for the deploy system to report back: Rewind stops.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(posts)
                    .as("calls to the webhook receiver, by run").hasSize(1));
            assertThat(rewind.kubernetes().image("shop", "cart")).isEqualTo("shop/cart:2.0.0");

            rewind.restart();

            // Picked up by the resume job (at start, then every 30 s): allow two more rounds on a loaded CI machine.
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(posts)
                    .as("calls to the webhook receiver, by run").hasSize(2));
            byte[] body = "{\"status\":\"succeeded\",\"message\":\"done\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            long now = java.time.Instant.now().getEpochSecond();
            java.net.http.HttpResponse<String> callback = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(rewind.url("/runs/" + runId + "/events")))
                            .header(dev.rewind.adapter.webhook.WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))
                            .header(dev.rewind.adapter.webhook.WebhookSignature.HEADER,
                                    dev.rewind.adapter.webhook.WebhookSignature.sign(secret, now, runId, body))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(callback.statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rewind.latestCardText(ts)).as("the card as last drawn")
                    .contains("done"));
            String report = rewind.get("/reports/" + runId + "?format=md").body();
            assertThat(report).contains("Step 1/2 kubernetes-deployment shop/cart: finished before the restart")
                    .contains("not run again");
            assertThat(report.split("Step 1/2 kubernetes-deployment shop/cart → ", -1))
                    .as("step 1 started once").hasSize(2);
        }
    }

    private static String runValue(Map<String, String> card) {
        Matcher matcher = Pattern.compile("\"value\":\"(rb-[0-9a-z]{10})").matcher(card.get("blocks"));
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }
}
